using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;

namespace Quartermaster.Core.Tests.Discovery;

public sealed class FileSdPathsTests
{
    [Theory]
    [InlineData("/etc/sd/targets.json")]
    [InlineData("/etc/sd/*.json")]
    [InlineData("/etc/sd/prefix-*-suffix.yml")]
    [InlineData("relative/*.yaml")]
    [InlineData("t.JSON")]
    [InlineData("t.YML")]
    [InlineData("/etc/s?d/[ab].YAML")]

    // Prometheus' pattern lets the last segment hold further stars after the first one.
    [InlineData("/etc/sd/*a*.json")]
    public void IsValidPath_AllowedPaths_True(string path) => Assert.True(FileSdPaths.IsValidPath(path));

    [Theory]
    [InlineData("/etc/sd/targets.txt")]
    [InlineData("/etc/*/targets.json")]
    [InlineData("/etc/*/*.json")]
    [InlineData("/etc/sd/targets.Json")]
    [InlineData("/etc/sd/targets.json\n")]
    [InlineData("/etc/sd/*")]
    [InlineData("")]
    public void IsValidPath_RejectedPaths_False(string path) => Assert.False(FileSdPaths.IsValidPath(path));

    [Fact]
    public void Validate_NoFilesAndBadPaths_ReportsEveryError()
    {
        Assert.Equal(
            ["file service discovery config must contain at least one path name"],
            FileSdPaths.Validate(new FileSdConfig { Files = [] }));
        Assert.Equal(
            ["path name \"/a/*/b.json\" is not valid for file discovery", "path name \"c.txt\" is not valid for file discovery"],
            FileSdPaths.Validate(new FileSdConfig { Files = ["/a/*/b.json", "ok.yml", "c.txt"] }));
    }

    [Theory]
    [InlineData("*.json", "a.json", true)]
    [InlineData("*.json", ".hidden.json", true)]
    [InlineData("*.json", "a.json.bak", false)]
    [InlineData("t-*.yml", "t-.yml", true)]
    [InlineData("t-*.yml", "t-x.yaml", false)]
    [InlineData("?.json", "ab.json", false)]
    [InlineData("?.json", "a.json", true)]
    [InlineData("[a-c].json", "b.json", true)]
    [InlineData("[a-c].json", "d.json", false)]
    [InlineData("[^a-c].json", "d.json", true)]
    [InlineData("\\*.json", "*.json", true)]
    [InlineData("\\*.json", "a.json", false)]
    [InlineData("*b*.json", "abc.json", true)]
    public void Match_GoFilepathMatchSemantics(string pattern, string name, bool expected) =>
        Assert.Equal(expected, FileSdPaths.Match(pattern, name));

    [Theory]
    [InlineData("./a/x.json", "a/x.json")]
    [InlineData("a//b/../x.json", "a/x.json")]
    [InlineData("/x/./y.json", "/x/y.json")]
    [InlineData("../x.json", "../x.json")]
    [InlineData("/../x.json", "/x.json")]
    [InlineData("", ".")]
    public void Clean_GoPathClean(string path, string expected) => Assert.Equal(expected, FileSdPaths.Clean(path));

    [Fact]
    public void Expand_GlobInLastSegment_SortedFilesOnly()
    {
        using var dir = new TempDirectory();
        dir.Write("b.json", "[]");
        dir.Write("a.json", "[]");
        dir.Write("c.yml", "[]");
        Directory.CreateDirectory(dir.File("d.json"));
        Directory.CreateDirectory(dir.File("sub"));
        File.WriteAllText(dir.File("sub/e.json"), "[]");

        Assert.Equal([dir.File("a.json"), dir.File("b.json")], FileSdPaths.Expand(dir.Path + "/*.json"));
        Assert.Equal([dir.File("c.yml")], FileSdPaths.Expand(dir.Path + "/c.yml"));
        Assert.Empty(FileSdPaths.Expand(dir.Path + "/missing.yml"));
        Assert.Empty(FileSdPaths.Expand(dir.Path + "/nodir/*.yml"));
    }

    [Fact]
    public void Expand_UncleanGlob_ReturnsCleanedMatchesButLiteralPathUnchanged()
    {
        using var dir = new TempDirectory();
        dir.Write("a.json", "[]");

        Assert.Equal([dir.File("a.json")], FileSdPaths.Expand(dir.Path + "/./*.json"));
        Assert.Equal([dir.Path + "/./a.json"], FileSdPaths.Expand(dir.Path + "/./a.json"));
    }
}
