namespace Quartermaster.Hosting;

/// <summary>
/// How upstream's controller-runtime logging flags (<c>--zap-*</c>, spec upstream-ta.md §1.2) map onto the .NET
/// console loggers.
/// </summary>
internal static class LogSettings
{
    public static readonly IReadOnlyList<string> Encoders = ["json", "console"];

    public static readonly IReadOnlyList<string> TimeEncodings = ["epoch", "millis", "nano", "iso8601", "rfc3339", "rfc3339nano"];

    public static readonly IReadOnlyList<string> StacktraceLevels = ["info", "error", "panic"];

    private const string Iso8601 = "yyyy-MM-ddTHH:mm:ss.fffZ";

    /// <summary>
    /// JSON or text: an explicit <c>--zap-encoder</c> wins, then <c>--zap-devel</c> (text); otherwise JSON when
    /// standard output is not a terminal (a container, a pipe, a file) and readable text on a terminal.
    /// </summary>
    public static bool UseJson(string? encoder, bool devel, bool stdoutIsTerminal) => encoder switch
    {
        "json" => true,
        "console" => false,
        _ => !devel && !stdoutIsTerminal,
    };

    /// <summary>
    /// The timestamp format for <c>--zap-time-encoding</c> (UTC). The console loggers write formatted timestamps
    /// only, so the numeric encodings (<c>epoch</c>, <c>millis</c>, <c>nano</c>) and the default use ISO 8601 with
    /// milliseconds.
    /// </summary>
    public static string TimestampFormat(string? timeEncoding) => timeEncoding switch
    {
        "rfc3339" => "yyyy-MM-ddTHH:mm:ssZ",
        "rfc3339nano" => "yyyy-MM-ddTHH:mm:ss.fffffffZ",
        _ => Iso8601,
    };

    /// <summary>An error message for a value the flag does not accept, or null.</summary>
    public static string? Validate(string flag, string? value, IReadOnlyList<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        return value is null || allowed.Contains(value)
            ? null
            : $"invalid argument \"{value}\" for \"{flag}\" flag: must be one of {string.Join(", ", allowed)}";
    }

    /// <summary>
    /// The minimum level for <c>--zap-log-level</c>: a level name, or an integer above zero (controller-runtime's
    /// custom debug verbosity, debug here). Null when the value is not valid.
    /// </summary>
    public static LogLevel? ParseLevel(string? level) => level?.ToLowerInvariant() switch
    {
        null or "" or "info" => LogLevel.Information,
        "debug" => LogLevel.Debug,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "dpanic" or "panic" or "fatal" => LogLevel.Critical,
        _ when int.TryParse(level, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 => LogLevel.Debug,
        _ => null,
    };
}
