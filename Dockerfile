# Build: docker build -t quartermaster .
# The image is a drop-in for the OpenTelemetry Operator's targetAllocator.image: config at /conf/targetallocator.yaml,
# HTTP on 8080, HTTPS on 8443, non-root user 65532. The troubleshooting CLI ships beside it: /app/qmctl.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Quartermaster/Quartermaster.csproj -c Release -o /app /p:UseAppHost=true \
 && dotnet publish src/Quartermaster.Cli/Quartermaster.Cli.csproj -c Release -o /app /p:UseAppHost=true

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
USER 65532:65532
EXPOSE 8080 8443
ENTRYPOINT ["/app/quartermaster"]
