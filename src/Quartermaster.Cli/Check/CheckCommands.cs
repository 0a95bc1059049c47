using System.CommandLine;

namespace Quartermaster.Cli.Check;

/// <summary>Builds <c>qmctl check</c> with its <c>config</c>, <c>receiver</c> and <c>connectivity</c> subcommands.</summary>
internal static class CheckCommands
{
    public const string DefaultTimeout = "5s";

    /// <param name="output">The root's <c>--output</c> option.</param>
    /// <param name="remoteClient">The allocator named explicitly on the command line (<c>--server</c> or <c>--service</c>), or null.</param>
    public static Command Create(Option<string> output, Func<ParseResult, AllocatorClient?> remoteClient)
    {
        var configFile = new Argument<string>("file") { Description = "The allocator's configuration file (targetallocator.yaml)" };
        var config = new Command("config", "Load targetallocator.yaml exactly as the service would and summarize it, or list every error")
        {
            configFile,
        };
        config.SetAction((r, ct) => ConfigCheck.RunAsync(r.GetValue(configFile)!, Environment.GetEnvironmentVariable, Console.Out, Console.Error, ct));

        var receiverFile = new Argument<string>("file")
        {
            Description = "A collector config, or an OpenTelemetryCollector or TargetAllocator manifest (several documents allowed)",
        };
        var collectorId = new Option<string?>("--collector-id")
        {
            Description = "With --server or --service: the collector id to look up when collector_id comes from the environment (a pod name)",
        };
        var receiver = new Command(
            "receiver",
            "Find the Prometheus receivers in a collector config or manifest and check their target_allocator settings; " +
            "with --server or --service, ask the allocator whether it knows the collector id")
        {
            receiverFile,
            collectorId,
        };
        receiver.SetAction((r, ct) => ReceiverCheck.RunAsync(
            r.GetValue(receiverFile)!, remoteClient(r), r.GetValue(collectorId), r.GetValue(output)!, Console.Out, Console.Error, ct));

        var endpoint = new Argument<string>("endpoint") { Description = "The allocator's endpoint: http://host:port, https://host:port or host:port" };
        var timeout = new Option<string>("--timeout", "-t")
        {
            Description = "How long each step may take, such as 5s or 500ms",
            DefaultValueFactory = _ => DefaultTimeout,
        };
        timeout.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!GoDuration.TryParse(value, out var parsed) || parsed <= TimeSpan.Zero)
            {
                result.AddError($"--timeout: \"{value}\" is not a positive duration such as 5s or 500ms");
            }
        });
        var connectivity = new Command(
            "connectivity",
            "Check what a collector needs to reach the allocator: DNS, TCP, then GET /livez, /readyz and /scrape_configs, with timings")
        {
            endpoint,
            timeout,
        };
        connectivity.SetAction((r, ct) =>
        {
            var limit = GoDuration.TryParse(r.GetValue(timeout), out var parsed) ? parsed : TimeSpan.FromSeconds(5);
            return new ConnectivityCheck(limit, TimeProvider.System, Console.Out, Console.Error).RunAsync(r.GetValue(endpoint)!, ct);
        });

        return new Command("check", "Offline and connectivity checks: allocator config, collector receiver config, and reaching the allocator")
        {
            config,
            receiver,
            connectivity,
        };
    }
}
