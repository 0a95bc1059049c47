using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Quartermaster.Api;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Config;
using Quartermaster.Core.Pipeline;
using Quartermaster.Discovery;

namespace Quartermaster.Hosting;

/// <summary>Builds and runs the service: Kestrel, the pipeline loop, discovery and config reloading.</summary>
internal static class QuartermasterHost
{
    /// <summary>Builds the application; the caller starts it. <paramref name="configure"/> lets tests adjust services.</summary>
    public static WebApplication Build(ConfigSource source, HostOptions options, Action<WebApplicationBuilder>? configure)
    {
        // The service reads no appsettings files; turning off their reload-on-change saves a file watcher (an inotify
        // instance, of which Linux allows 128 per user by default).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        if (options.LogJson)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = options.LogTimestampFormat;
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = options.LogTimestampFormat + " ";
                o.UseUtcTimestamp = true;
            });
        }

        builder.Logging.SetMinimumLevel(LogSettings.ParseLevel(options.LogLevel) ?? LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(source);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp =>
        {
            TargetPipeline? pipeline = null;
            var metrics = new PipelineMetrics(
                sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
                () => pipeline?.Current ?? Core.Serving.ServingSnapshot.Initial,
                () => pipeline?.StrategyName ?? "");
            pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V0_10_0), sp.GetRequiredService<TimeProvider>(), metrics);
            return pipeline;
        });
        builder.Services.AddSingleton<KubernetesClients>();
        builder.Services.AddSingleton<DiscoveryManager>();
        builder.Services.AddSingleton<CollectorService>();
        builder.Services.AddSingleton<RbacService>();
        builder.Services.AddSingleton<PrometheusCrService>();
        builder.Services.AddSingleton<PollTracker>();
        builder.Services.AddSingleton<HttpsListenerState>();
        builder.Services.AddSingleton<Ui.UiPages>();
        builder.Services.AddSingleton<ConfigService>();
        builder.Services.AddSingleton(sp => new RequestGuard(
            () => sp.GetRequiredService<ConfigService>().Current?.HttpServer,
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<RequestGuard>((o, guard) => guard.Configure(o));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigService>());
        builder.Services.AddHostedService<PipelineService>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("quartermaster"))
            .WithMetrics(m =>
            {
                m.AddMeter(PipelineMetrics.MeterName).AddPrometheusExporter();

                // The telemetry block is read when the provider is built, after the first configuration has loaded;
                // a reload does not change the readers (they are set up once, at start).
                ((IDeferredMeterProviderBuilder)m).Configure((sp, b) =>
                    SelfTelemetry.Configure(b, sp.GetRequiredService<ConfigService>().Current?.Telemetry, Environment.GetEnvironmentVariable));
            });
        configure?.Invoke(builder);

        var app = builder.Build();
        return app;
    }

    public static async Task<int> RunAsync(ConfigSource source, HostOptions options, Action<WebApplicationBuilder>? configure, CancellationToken cancellationToken)
    {
        var app = Build(source, options, configure);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Quartermaster");
        var config = Initialize(app, logger);
        if (config is null)
        {
            return 1;
        }

        try
        {
            Listeners.Configure(app, config);
        }
        catch (ConfigException ex)
        {
            Log.InvalidConfig(logger, ex.Message);
            return 1;
        }

        await app.StartAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }

    /// <summary>Applies the first configuration and maps the API; returns <c>null</c> after logging when it is invalid.</summary>
    public static TargetAllocatorConfig? Initialize(WebApplication app, ILogger logger)
    {
        var configService = app.Services.GetRequiredService<ConfigService>();
        TargetAllocatorConfig config;
        try
        {
            config = configService.LoadInitial();
        }
        catch (ConfigException ex)
        {
            Log.InvalidConfig(logger, ex.Message);
            return null;
        }

        // Build the meter provider now (its OTLP readers come from the loaded telemetry block), not when the host
        // starts, so the first allocation's measurements are kept.
        _ = app.Services.GetService<MeterProvider>();

        // Publish the first snapshot before any listener opens, so no request ever sees the unconfigured state.
        // The pipeline loop has not started yet, so this thread is its only reader here.
        var pipeline = app.Services.GetRequiredService<TargetPipeline>();
        pipeline.ProcessPending();
        ApiEndpoints.Map(app, pipeline, () => configService.Current?.AllowInsecureAuthSecrets ?? false);
        Ui.UiEndpoints.Map(app);
        app.MapPrometheusScrapingEndpoint("/metrics").DisableRateLimiting();
        return config;
    }
}

/// <summary>
/// Runs the pipeline loop for the life of the host, on a dedicated thread (<see cref="ThreadName"/>): it never waits
/// in the thread pool's queue behind request work, so allocation keeps its pace when the API is flooded.
/// </summary>
internal sealed class PipelineService(TargetPipeline pipeline, IHostApplicationLifetime lifetime) : BackgroundService
{
    /// <summary>The name of the loop's thread (seen in dumps and debuggers).</summary>
    public const string ThreadName = "quartermaster-pipeline";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                pipeline.Run(stoppingToken);
                stopped.TrySetResult();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                stopped.TrySetResult();
            }
            catch (Exception ex)
            {
                // A dead pipeline would serve stale data forever: stop the process so it is restarted.
                lifetime.StopApplication();
                stopped.TrySetException(ex);
            }
        })
        {
            Name = ThreadName,
            IsBackground = true,
        };
        thread.Start();
        return stopped.Task;
    }
}
