using System.CommandLine;
using Quartermaster.Core.Config;

namespace Quartermaster.Hosting;

/// <summary>The service's flags: upstream's flag names and meanings (spec upstream-ta.md §1.2), plus logging flags.</summary>
internal sealed class CommandLine
{
    private readonly Option<string> _configFile = new("--config-file") { Description = "The path of the configuration file (default /conf/targetallocator.yaml; an embedded default is used when that file does not exist)" };
    private readonly Option<string> _listenAddr = new("--listen-addr") { Description = "The address the HTTP API listens on (default :8080)" };
    private readonly Option<bool> _enablePrometheusCr = new("--enable-prometheus-cr-watcher") { Description = "Enable Prometheus Operator resource watching" };
    private readonly Option<string> _kubeconfig = new("--kubeconfig-path") { Description = "The kubeconfig file (default $HOME/.kube/config; in-cluster config when it does not exist)" };
    private readonly Option<bool> _enableHttps = new("--enable-https-server") { Description = "Also serve the API over HTTPS with client certificates" };
    private readonly Option<string> _listenAddrHttps = new("--listen-addr-https") { Description = "The address the HTTPS listener uses (default :8443)" };
    private readonly Option<string> _httpsCa = new("--https-ca-file") { Description = "CA file that client certificates must chain to" };
    private readonly Option<string> _httpsCert = new("--https-tls-cert-file") { Description = "The HTTPS server certificate" };
    private readonly Option<string> _httpsKey = new("--https-tls-key-file") { Description = "The HTTPS server key" };
    private readonly Option<bool> _allowInsecureSecrets = new("--allow-insecure-auth-secrets") { Description = "Serve scrape-config secrets over plain HTTP" };
    private readonly Option<string> _logLevel = new("--zap-log-level") { Description = "Log level: debug, info, warn, error, panic, or an integer above 0 (debug)" };
    private readonly Option<string> _logEncoder = new("--zap-encoder") { Description = "Log format: json or console (default: json when stdout is not a terminal, console on a terminal)" };
    private readonly Option<bool> _zapDevel = new("--zap-devel") { Description = "Development logging (console format, debug level) unless --zap-encoder or --zap-log-level say otherwise" };
    private readonly Option<string> _zapStacktrace = new("--zap-stacktrace-level") { Description = "info, error or panic; accepted for compatibility: exceptions are always logged with their stack trace" };
    private readonly Option<string> _zapTime = new("--zap-time-encoding") { Description = "Timestamp format: iso8601 (default), rfc3339, rfc3339nano; epoch, millis and nano are written as iso8601" };

    public CommandLine()
    {
        Root = new RootCommand("quartermaster: a Prometheus target allocator for OpenTelemetry Collectors")
        {
            _configFile, _listenAddr, _enablePrometheusCr, _kubeconfig, _enableHttps, _listenAddrHttps, _httpsCa,
            _httpsCert, _httpsKey, _allowInsecureSecrets, _logLevel, _logEncoder, _zapDevel, _zapStacktrace, _zapTime,
        };
    }

    public RootCommand Root { get; }

    public static HostOptions? Parse(string[] args, TextWriter error, out int exitCode) =>
        Parse(args, error, stdoutIsTerminal: !Console.IsOutputRedirected, out exitCode);

    /// <summary>Parses <paramref name="args"/>; <paramref name="stdoutIsTerminal"/> picks the default log format.</summary>
    public static HostOptions? Parse(string[] args, TextWriter error, bool stdoutIsTerminal, out int exitCode)
    {
        ArgumentNullException.ThrowIfNull(error);
        var cli = new CommandLine();
        var result = cli.Root.Parse(args);
        var messages = result.Errors.Select(e => e.Message).ToList();
        if (messages.Count == 0)
        {
            messages.AddRange(new[]
            {
                LogSettings.Validate("--zap-encoder", result.GetValue(cli._logEncoder), LogSettings.Encoders),
                LogSettings.Validate("--zap-time-encoding", result.GetValue(cli._zapTime), LogSettings.TimeEncodings),
                LogSettings.Validate("--zap-stacktrace-level", result.GetValue(cli._zapStacktrace), LogSettings.StacktraceLevels),
                result.GetValue(cli._logLevel) is { } level && LogSettings.ParseLevel(level) is null
                    ? $"invalid argument \"{level}\" for \"--zap-log-level\" flag: must be debug, info, warn, error, panic or an integer above 0"
                    : null,
            }.OfType<string>());
        }

        if (messages.Count > 0)
        {
            foreach (var e in messages)
            {
                error.WriteLine(e);
            }

            error.WriteLine("Run 'quartermaster --help' for the flags.");
            exitCode = 2;
            return null;
        }

        if (result.Action is not null && result.GetResult(cli._configFile) is null && args.Any(a => a is "--help" or "-h" or "-?" or "--version"))
        {
            exitCode = result.Invoke();
            return null;
        }

        exitCode = 0;
        // Only flags present on the command line override the file (upstream: pflag's Changed), never their defaults.
        bool Present(Option option) => result.GetResult(option) is { Implicit: false };
        T? Given<T>(Option<T> option) => Present(option) ? result.GetValue(option) : default;
        bool? GivenBool(Option<bool> option) => Present(option) ? result.GetValue(option) : null;

        return new HostOptions
        {
            ConfigFile = Given(cli._configFile),
            LogLevel = Given(cli._logLevel) ?? (GivenBool(cli._zapDevel) == true ? "debug" : null),
            LogJson = LogSettings.UseJson(Given(cli._logEncoder), GivenBool(cli._zapDevel) == true, stdoutIsTerminal),
            LogTimestampFormat = LogSettings.TimestampFormat(Given(cli._zapTime)),
            Overrides = new ConfigOverrides
            {
                ListenAddr = Given(cli._listenAddr),
                EnablePrometheusCrWatcher = GivenBool(cli._enablePrometheusCr),
                KubeConfigPath = Given(cli._kubeconfig),
                EnableHttpsServer = GivenBool(cli._enableHttps),
                ListenAddrHttps = Given(cli._listenAddrHttps),
                HttpsCaFile = Given(cli._httpsCa),
                HttpsTlsCertFile = Given(cli._httpsCert),
                HttpsTlsKeyFile = Given(cli._httpsKey),
                AllowInsecureAuthSecrets = GivenBool(cli._allowInsecureSecrets),
            },
        };
    }
}

/// <summary>What the command line decided.</summary>
internal sealed class HostOptions
{
    /// <summary>The explicitly given config file, or <c>null</c>.</summary>
    public string? ConfigFile { get; init; }

    public string? LogLevel { get; init; }

    public bool LogJson { get; init; } = true;

    /// <summary>The .NET format string for log timestamps (UTC), from <c>--zap-time-encoding</c>.</summary>
    public string LogTimestampFormat { get; init; } = LogSettings.TimestampFormat(null);

    public ConfigOverrides Overrides { get; init; } = new();
}
