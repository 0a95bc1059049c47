using Quartermaster.Core.Config;
using Quartermaster.Hosting;

namespace Quartermaster.Tests.Hosting;

public class CommandLineTests
{
    private static HostOptions Parse(params string[] args)
    {
        using var error = new StringWriter();
        var options = CommandLine.Parse(args, error, out var exit);
        Assert.True(options is not null, error.ToString());
        Assert.Equal(0, exit);
        return options!;
    }

    [Fact]
    public void Parse_NoFlags_OverridesNothing()
    {
        var options = Parse();

        Assert.Null(options.ConfigFile);
        Assert.Null(options.Overrides.ListenAddr);
        Assert.Null(options.Overrides.EnableHttpsServer);
        Assert.Null(options.Overrides.EnablePrometheusCrWatcher);
        Assert.Null(options.Overrides.AllowInsecureAuthSecrets);
    }

    [Fact]
    public void Parse_FlagsGiven_OverrideTheFile()
    {
        var options = Parse("--config-file=/tmp/x.yaml", "--listen-addr", ":9090", "--enable-https-server", "--allow-insecure-auth-secrets=false");

        Assert.Equal("/tmp/x.yaml", options.ConfigFile);
        Assert.Equal(":9090", options.Overrides.ListenAddr);
        Assert.True(options.Overrides.EnableHttpsServer);
        Assert.False(options.Overrides.AllowInsecureAuthSecrets);
    }

    [Fact]
    public void Parse_FlagAbsent_FileValueWins()
    {
        var options = Parse("--listen-addr=127.0.0.1:0");

        var config = TargetAllocatorConfigLoader.Load(
            "https: {enabled: true}\nprometheus_cr: {enabled: true}\ncollectors: {static: [c]}\n", "test", _ => null, options.Overrides);

        Assert.True(config.Https.Enabled);
        Assert.True(config.PrometheusCr.Enabled);
        Assert.Equal("127.0.0.1:0", config.ListenAddr);
    }

    [Fact]
    public void Parse_UnknownFlag_ExitsWithUsageError()
    {
        using var error = new StringWriter();

        var options = CommandLine.Parse(["--no-such-flag"], error, out var exit);

        Assert.Null(options);
        Assert.Equal(2, exit);
        Assert.Contains("--no-such-flag", error.ToString(), StringComparison.Ordinal);
    }
}
