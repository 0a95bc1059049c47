namespace Quartermaster.Core.Config;

/// <summary>The configuration could not be loaded; <see cref="Errors"/> lists every problem found.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<string> errors)
        : base(string.Join('\n', errors ?? throw new ArgumentNullException(nameof(errors))))
    {
        Errors = errors;
    }

    public ConfigException()
        : this([])
    {
    }

    public ConfigException(string message)
        : this([message])
    {
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Each error names the full key path of the offending value.</summary>
    public IReadOnlyList<string> Errors { get; }
}
