using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartermaster.Core.Config;
using Quartermaster.Hosting;

namespace Quartermaster.IntegrationTests.Infrastructure;

/// <summary>The real service, in process, on a free loopback port, reading a config file in a temp directory.</summary>
public sealed class AllocatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AllocatorHost(WebApplication app, string configPath, Uri baseAddress)
    {
        _app = app;
        ConfigPath = configPath;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    public string ConfigPath { get; }

    public Uri BaseAddress { get; }

    /// <summary>The mutual-TLS listener, when the config enables it.</summary>
    public Uri? HttpsAddress { get; private init; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<AllocatorHost> StartAsync(string configYaml, string? directory = null, ConfigOverrides? overrides = null)
    {
        directory ??= Directory.CreateTempSubdirectory("qm-it-").FullName;
        var configPath = Path.Combine(directory, "targetallocator.yaml");
        await File.WriteAllTextAsync(configPath, configYaml);
        var given = overrides ?? new ConfigOverrides();
        overrides = new ConfigOverrides
        {
            ListenAddr = given.ListenAddr ?? "127.0.0.1:0",
            ListenAddrHttps = given.ListenAddrHttps ?? "127.0.0.1:0",
            EnablePrometheusCrWatcher = given.EnablePrometheusCrWatcher,
            KubeConfigPath = given.KubeConfigPath,
            EnableHttpsServer = given.EnableHttpsServer,
            HttpsCaFile = given.HttpsCaFile,
            HttpsTlsCertFile = given.HttpsTlsCertFile,
            HttpsTlsKeyFile = given.HttpsTlsKeyFile,
            AllowInsecureAuthSecrets = given.AllowInsecureAuthSecrets,
        };
        var options = new HostOptions { ConfigFile = configPath, LogLevel = "warn", LogJson = false, Overrides = overrides };
        var app = QuartermasterHost.Build(ConfigSource.Resolve(configPath), options, b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        var config = QuartermasterHost.Initialize(app, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("test"))
            ?? throw new InvalidOperationException("the test configuration is invalid");
        Listeners.Configure(app, config);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var http = addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal));
        var https = addresses.FirstOrDefault(a => a.StartsWith("https://", StringComparison.Ordinal));
        return new AllocatorHost(app, configPath, new Uri(http)) { HttpsAddress = https is null ? null : new Uri(https) };
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling; fails after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds}s waiting for {what}");
            }

            await Task.Delay(100);
        }
    }

    public async Task<string> GetStringAsync(string path) => await Client.GetStringAsync(path);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
