namespace Quartermaster.Cli.Check;

/// <summary>How serious a check's finding is. Any <see cref="Error"/> makes the command exit 1.</summary>
internal enum FindingLevel
{
    Ok,
    Warn,
    Error,
}
