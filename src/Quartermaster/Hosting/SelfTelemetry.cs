using System.Text;
using System.Text.RegularExpressions;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Quartermaster.Core.Config;

namespace Quartermaster.Hosting;

/// <summary>
/// The <c>telemetry</c> block turned into OpenTelemetry SDK readers: one periodic reader with an OTLP exporter per
/// configured reader, and upstream's resource (spec upstream-ta.md §8) when at least one is configured.
/// </summary>
internal static partial class SelfTelemetry
{
    public const string ServiceName = "target-allocator";

    /// <summary>Replaces each <c>${env:VAR}</c> with the variable's value; an unset variable becomes empty.</summary>
    public static string ExpandEnvRefs(string value, Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(env);
        return EnvRef().Replace(value, m => env(m.Groups[1].Value) ?? "");
    }

    /// <summary>
    /// The URL the exporter sends to. Without a scheme the endpoint is <c>host:port</c>, reached over plain HTTP when
    /// <c>insecure</c> is set and over HTTPS otherwise; OTLP/HTTP gets <c>/v1/metrics</c> appended unless present.
    /// </summary>
    public static Uri ExporterEndpoint(OtlpReaderConfig reader, Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var endpoint = ExpandEnvRefs(reader.Endpoint, env).Trim();
        if (!endpoint.Contains("://", StringComparison.Ordinal))
        {
            endpoint = (reader.Insecure ? "http://" : "https://") + endpoint;
        }

        if (reader.Protocol == "http")
        {
            endpoint = endpoint.TrimEnd('/');
            if (!new Uri(endpoint).AbsolutePath.EndsWith("/v1/metrics", StringComparison.Ordinal))
            {
                endpoint += "/v1/metrics";
            }
        }

        return new Uri(endpoint);
    }

    /// <summary>The exporter's header string (<c>name=value,…</c>), values env-expanded.</summary>
    public static string Headers(OtlpReaderConfig reader, Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var sb = new StringBuilder();
        foreach (var (name, value) in reader.Headers)
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(name).Append('=').Append(ExpandEnvRefs(value, env));
        }

        return sb.ToString();
    }

    /// <summary>
    /// The SDK's temporality for upstream's preference. .NET has no low-memory selector; its delta preference keeps
    /// up-down counters cumulative, which is what low-memory means for them, so both map to delta.
    /// </summary>
    public static MetricReaderTemporalityPreference Temporality(string preference) => preference switch
    {
        "delta" or "low_memory" => MetricReaderTemporalityPreference.Delta,
        _ => MetricReaderTemporalityPreference.Cumulative,
    };

    public static MetricReader CreateReader(OtlpReaderConfig reader, Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var timeout = (int)(reader.Timeout ?? TimeSpan.FromSeconds(30)).TotalMilliseconds;
        var options = new OtlpExporterOptions
        {
            Endpoint = ExporterEndpoint(reader, env),
            Protocol = reader.Protocol == "http" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc,
            Headers = Headers(reader, env),
            TimeoutMilliseconds = timeout,
        };
#pragma warning disable CA2000 // The reader owns the exporter and the meter provider owns the reader.
        var exporter = new OtlpMetricExporter(options);
#pragma warning restore CA2000
        return new PeriodicExportingMetricReader(exporter, (int)(reader.Interval ?? TimeSpan.FromSeconds(60)).TotalMilliseconds, timeout)
        {
            TemporalityPreference = Temporality(reader.TemporalityPreference),
        };
    }

    /// <summary>Adds the configured readers and, when there is one, upstream's resource (the <c>OTEL_*</c> environment wins).</summary>
    public static void Configure(MeterProviderBuilder builder, TelemetryConfig? telemetry, Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (telemetry is null || telemetry.Readers.Count == 0)
        {
            return;
        }

        builder.ConfigureResource(r => r
            .AddService(ServiceName, serviceInstanceId: Environment.MachineName, autoGenerateServiceInstanceId: false)
            .AddTelemetrySdk()
            .AddEnvironmentVariableDetector());
        foreach (var reader in telemetry.Readers)
        {
            builder.AddReader(CreateReader(reader, env));
        }
    }

    [GeneratedRegex(@"\$\{env:([a-zA-Z_][a-zA-Z0-9_]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex EnvRef();
}
