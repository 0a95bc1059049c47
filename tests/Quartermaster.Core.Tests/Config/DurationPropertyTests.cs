using CsCheck;
using Quartermaster.Core.Config;

namespace Quartermaster.Core.Tests.Config;

public sealed class DurationPropertyTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("30s", 30_000_000_000L)]
    [InlineData("1m0s", 60_000_000_000L)]
    [InlineData("1h2m3.5s", 3_723_500_000_000L)]
    [InlineData("1.5ms", 1_500_000L)]
    [InlineData("1µs", 1_000L)]
    [InlineData("1us", 1_000L)]
    [InlineData("-2s", -2_000_000_000L)]
    [InlineData(".5s", 500_000_000L)]
    [InlineData("2562047h47m16.854775807s", long.MaxValue)]
    public void GoDurationTryParse_ValidText_ReturnsNanoseconds(string text, long expected)
    {
        Assert.True(GoDuration.TryParse(text, out long ns, out var error), error);
        Assert.Equal(expected, ns);
    }

    [Theory]
    [InlineData("1d", "time: unknown unit \"d\" in duration \"1d\"")]
    [InlineData("30", "time: missing unit in duration \"30\"")]
    [InlineData("", "time: invalid duration \"\"")]
    [InlineData("s", "time: invalid duration \"s\"")]
    [InlineData("2562047h47m16.854775808s", "time: invalid duration \"2562047h47m16.854775808s\"")]
    public void GoDurationTryParse_InvalidText_ReturnsGoError(string text, string expected)
    {
        Assert.False(GoDuration.TryParse(text, out long _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1L, "1ns")]
    [InlineData(1_500L, "1.5µs")]
    [InlineData(1_500_000L, "1.5ms")]
    [InlineData(60_000_000_000L, "1m0s")]
    [InlineData(3_600_000_000_000L, "1h0m0s")]
    [InlineData(3_723_500_000_000L, "1h2m3.5s")]
    [InlineData(-30_000_000_000L, "-30s")]
    [InlineData(long.MinValue, "-2562047h47m16.854775808s")]
    public void GoDurationFormat_Nanoseconds_MatchesGo(long ns, string expected) => Assert.Equal(expected, GoDuration.Format(ns));

    [Fact]
    public void GoDuration_FormatThenParse_RoundTrips() =>
        Gen.Long.Sample(ns =>
        {
            Assert.True(GoDuration.TryParse(GoDuration.Format(ns), out long parsed, out var error), error);
            Assert.Equal(ns, parsed);
        });

    [Fact]
    public void GoDuration_ParseJunk_NeverThrows() =>
        Gen.OneOf(Gen.String, Gen.String["0123456789.µunsmh+-"]).Sample(s =>
        {
            var ok = GoDuration.TryParse(s, out long _, out var error);
            Assert.True(ok || error is not null);
        });

    [Fact]
    public void PromDuration_FormatThenParse_RoundTrips() =>
        Gen.Long[0, long.MaxValue / 2].Sample(ms =>
        {
            var d = new PromDuration(ms);
            Assert.True(PromDuration.TryParse(d.ToString(), out var parsed, out var error), error);
            Assert.Equal(d, parsed);
        });

    [Fact]
    public void PromDuration_ParseJunk_NeverThrows() =>
        Gen.OneOf(Gen.String, Gen.String["0123456789ywdhms"]).Sample(s =>
        {
            var ok = PromDuration.TryParse(s, out _, out var error);
            Assert.True(ok || error is not null);
        });

    [Theory]
    [InlineData("100MB", 100L * 1024 * 1024, "100MiB")]
    [InlineData("1KiB", 1024L, "1KiB")]
    [InlineData("1536B", 1536L, "1KiB512B")]
    public void ByteSize_ParseAndFormat_MatchesGoUnits(string text, long bytes, string formatted)
    {
        Assert.True(ByteSize.TryParse(text, out var parsed, out var error), error);
        Assert.Equal(bytes, parsed);
        Assert.Equal(formatted, ByteSize.Format(parsed));
    }

    [Fact]
    public void ByteSize_NoUnit_ReportsUnknownUnit()
    {
        Assert.False(ByteSize.TryParse("100", out _, out var error));
        Assert.Equal("units: unknown unit  in 100", error);
    }
}
