using System.Globalization;
using Quartermaster.LoadTest;

const string Usage = """
    qm-loadtest: load and sizing tool for Quartermaster (loopback only)

      Workloads: jobs of 100 targets up to --max-jobs (default 100) jobs, then more targets per job.

      process  [--targets 10000] [--collectors 10] [--strategy consistent-hashing] [--shape full|groups] [--max-jobs 100]
               [--app <folder with quartermaster>] [--poll-collectors 0] [--interval 30s] [--duration 60s]
               [--concurrency 64] [--churn-percent 1] [--churn-every 10s] [--flood 0] [--flood-duration 20s]
               [--env NAME=VALUE,NAME=VALUE] [--extra-config '<top-level YAML, e.g. http_server: {queue_limit: 50}>']
               [--report <file.md>]
          Generates a file_sd workload, runs the real quartermaster on it and measures start → first complete
          snapshot, peak/steady RSS, unchanged reloads, one target added/removed → served, then optionally the
          poll load with churn and a flood of back-to-back pollers.

      generate --out <dir> [--targets 10000] [--collectors 10] [--strategy ...] [--shape full|groups] [--max-jobs 100]
          Writes targetallocator.yaml and the file_sd files, for running quartermaster yourself.

      poll     --server http://127.0.0.1:8080 [--collectors 10] [--interval 30s] [--duration 60s]
               [--max-requests 10000000] [--concurrency 64] [--verify]
               [--churn-dir <dir from generate> --targets N [--shape ...] [--max-jobs ...] --churn-percent 1 --churn-every 10s]
          Plays collectors polling a running allocator; with --churn-dir it also churns the generated files.
    """;

var options = Options.Parse(args.Skip(1).ToArray(), out var parseError);
if (args.Length == 0 || args[0] is "-h" or "--help" || options is null)
{
    Console.Error.WriteLine(parseError ?? Usage);
    return args.Length == 0 || args[0] is "-h" or "--help" ? 0 : 2;
}

try
{
    switch (args[0])
    {
        case "process":
            var run = new ProcessRunOptions
            {
                Targets = options.Int("targets", 10_000),
                Collectors = options.Int("collectors", 10),
                Strategy = options.Text("strategy", "consistent-hashing"),
                Shape = options.Shape(),
                MaxJobs = options.Int("max-jobs", TargetWorkspace.MaxJobs),
                Environment = options.Environment(),
                App = options.TextOrNull("app"),
                ExtraConfig = options.TextOrNull("extra-config"),
                PollCollectors = options.Int("poll-collectors", 0),
                PollInterval = options.Duration("interval", TimeSpan.FromSeconds(30)),
                PollDuration = options.Duration("duration", TimeSpan.FromSeconds(60)),
                PollConcurrency = options.Int("concurrency", 64),
                ChurnPercent = options.Double("churn-percent", 1),
                ChurnEvery = options.Duration("churn-every", TimeSpan.FromSeconds(10)),
                Flood = options.Int("flood", 0),
                FloodDuration = options.Duration("flood-duration", TimeSpan.FromSeconds(20)),
            };
            var reportPath = options.TextOrNull("report");
            options.EnsureAllUsed();
            var output = new StringWriter(CultureInfo.InvariantCulture);
            var code = await ProcessRunner.RunAsync(run, new TeeWriter(Console.Out, output), CancellationToken.None);
            if (reportPath is not null)
            {
                await File.AppendAllTextAsync(reportPath, output.ToString() + "\n");
            }

            return code;

        case "generate":
            var dir = options.TextOrNull("out") ?? throw new ArgumentException("generate needs --out <dir>");
            var workspace = TargetWorkspace.Create(dir, options.Int("targets", 10_000), options.Int("collectors", 10), options.Shape(), options.Text("strategy", "consistent-hashing"), options.Int("max-jobs", TargetWorkspace.MaxJobs));
            options.EnsureAllUsed();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{workspace.TargetCount:N0} targets in {workspace.Jobs:N0} jobs; run: quartermaster --config-file {workspace.ConfigPath} --listen-addr 127.0.0.1:8080"));
            return 0;

        case "poll":
            var server = Loopback.ParseServer(options.Text("server", "http://127.0.0.1:8080"), out var serverError);
            if (server is null)
            {
                Console.Error.WriteLine(serverError);
                return 2;
            }

            var poll = new PollLoadOptions
            {
                Server = server,
                Collectors = options.Int("collectors", 10),
                Interval = options.Duration("interval", TimeSpan.FromSeconds(30)),
                Duration = options.Duration("duration", TimeSpan.FromSeconds(60)),
                MaxRequests = options.Int("max-requests", 10_000_000),
                Concurrency = options.Int("concurrency", 64),
                VerifyBodies = options.Flag("verify"),
            };
            var churnDir = options.TextOrNull("churn-dir");
            TargetWorkspace? churnWorkspace = null;
            if (churnDir is not null)
            {
                // The generator is deterministic: the same arguments give back the files generate wrote.
                churnWorkspace = TargetWorkspace.Attach(churnDir, options.Int("targets", 10_000), options.Shape(), options.Int("max-jobs", TargetWorkspace.MaxJobs));
            }

            var percent = options.Double("churn-percent", 1);
            var every = options.Duration("churn-every", TimeSpan.FromSeconds(10));
            options.EnsureAllUsed();
            using (var stop = new CancellationTokenSource(poll.Duration))
            {
                var churn = churnWorkspace is null ? null : Churn.RunAsync(churnWorkspace, server, percent, every, stop.Token);
                Console.WriteLine($"load average before: {ProcStat.LoadAverage()}");
                var report = await PollLoad.RunAsync(poll, CancellationToken.None);
                Console.WriteLine(report.ToMarkdown());
                if (churn is not null)
                {
                    Console.WriteLine((await churn).ToMarkdown());
                }

                Console.WriteLine($"load average after: {ProcStat.LoadAverage()}");
                return report.Errors == 0 && report.BodyMismatches == 0 ? 0 : 1;
            }

        default:
            Console.Error.WriteLine($"unknown command {args[0]}\n{Usage}");
            return 2;
    }
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
