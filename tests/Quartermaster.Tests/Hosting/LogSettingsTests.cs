using Microsoft.Extensions.Logging;
using Quartermaster.Hosting;

namespace Quartermaster.Tests.Hosting;

public sealed class LogSettingsTests
{
    [Theory]
    [InlineData(null, false, false, true)] // a container: JSON
    [InlineData(null, false, true, false)] // a terminal: text
    [InlineData("json", false, true, true)]
    [InlineData("console", false, false, false)]
    [InlineData(null, true, false, false)] // --zap-devel: text
    [InlineData("json", true, true, true)] // an explicit encoder beats --zap-devel
    public void UseJson_EncoderDevelTerminal_Chosen(string? encoder, bool devel, bool terminal, bool expected)
    {
        Assert.Equal(expected, LogSettings.UseJson(encoder, devel, terminal));
    }

    [Theory]
    [InlineData(new string[0], false, true)]
    [InlineData(new string[0], true, false)]
    [InlineData(new[] { "--zap-encoder=console" }, false, false)]
    [InlineData(new[] { "--zap-encoder", "json" }, true, true)]
    [InlineData(new[] { "--zap-devel" }, false, false)]
    [InlineData(new[] { "--zap-devel", "--zap-encoder=json" }, true, true)]
    public void Parse_LogFlags_FormatChosen(string[] args, bool terminal, bool json)
    {
        using var error = new StringWriter();
        var options = CommandLine.Parse(args, error, terminal, out var exit);

        Assert.Equal(0, exit);
        Assert.Equal(json, options!.LogJson);
    }

    [Theory]
    [InlineData("--zap-log-level=debug", "debug")]
    [InlineData("--zap-log-level=3", "3")]
    public void Parse_LogLevel_Kept(string arg, string level)
    {
        using var error = new StringWriter();
        var options = CommandLine.Parse([arg], error, stdoutIsTerminal: false, out _);

        Assert.Equal(level, options!.LogLevel);
        Assert.Equal(LogLevel.Debug, LogSettings.ParseLevel(level));
    }

    [Fact]
    public void Parse_ZapDevel_DebugLevel()
    {
        using var error = new StringWriter();
        var options = CommandLine.Parse(["--zap-devel"], error, stdoutIsTerminal: false, out _);

        Assert.Equal(LogLevel.Debug, LogSettings.ParseLevel(options!.LogLevel));
    }

    [Theory]
    [InlineData("info", LogLevel.Information)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("warn", LogLevel.Warning)]
    [InlineData("panic", LogLevel.Critical)]
    [InlineData(null, LogLevel.Information)]
    [InlineData("0", null)]
    [InlineData("-1", null)]
    [InlineData("loud", null)]
    public void ParseLevel_Values_MappedOrRejected(string? value, LogLevel? expected)
    {
        Assert.Equal(expected, LogSettings.ParseLevel(value));
    }

    [Theory]
    [InlineData(null, "yyyy-MM-ddTHH:mm:ss.fffZ")]
    [InlineData("iso8601", "yyyy-MM-ddTHH:mm:ss.fffZ")]
    [InlineData("epoch", "yyyy-MM-ddTHH:mm:ss.fffZ")]
    [InlineData("rfc3339", "yyyy-MM-ddTHH:mm:ssZ")]
    [InlineData("rfc3339nano", "yyyy-MM-ddTHH:mm:ss.fffffffZ")]
    public void Parse_TimeEncoding_TimestampFormat(string? encoding, string format)
    {
        using var error = new StringWriter();
        var options = CommandLine.Parse(encoding is null ? [] : ["--zap-time-encoding=" + encoding], error, stdoutIsTerminal: false, out _);

        Assert.Equal(format, options!.LogTimestampFormat);
    }

    [Theory]
    [InlineData("--zap-encoder=xml", "--zap-encoder")]
    [InlineData("--zap-time-encoding=julian", "--zap-time-encoding")]
    [InlineData("--zap-stacktrace-level=debug", "--zap-stacktrace-level")]
    [InlineData("--zap-log-level=loud", "--zap-log-level")]
    public void Parse_InvalidLogFlag_ExitTwoNamingTheFlag(string arg, string flag)
    {
        using var error = new StringWriter();
        var options = CommandLine.Parse([arg], error, stdoutIsTerminal: false, out var exit);

        Assert.Null(options);
        Assert.Equal(2, exit);
        Assert.Contains(flag, error.ToString(), StringComparison.Ordinal);
    }
}
