namespace Quartermaster.Cli.Check;

/// <summary>One line of a check's report: its level, the key path it is about, and what was found.</summary>
internal sealed record Finding(FindingLevel Level, string Path, string Message)
{
    public static Finding Ok(string path, string message) => new(FindingLevel.Ok, path, message);

    public static Finding Warn(string path, string message) => new(FindingLevel.Warn, path, message);

    public static Finding Error(string path, string message) => new(FindingLevel.Error, path, message);

    public string LevelText => Level switch
    {
        FindingLevel.Ok => "OK",
        FindingLevel.Warn => "WARN",
        _ => "ERROR",
    };
}
