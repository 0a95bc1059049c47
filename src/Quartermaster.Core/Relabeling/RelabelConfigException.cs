namespace Quartermaster.Core.Relabeling;

/// <summary>A relabel rule that Prometheus would reject; <see cref="Index"/> is its position in the list.</summary>
public sealed class RelabelConfigException : Exception
{
    public RelabelConfigException()
    {
    }

    public RelabelConfigException(string message)
        : base(message)
    {
    }

    public RelabelConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RelabelConfigException(int index, string reason)
        : base($"relabel_configs[{index}]: {reason}")
    {
        Index = index;
        Reason = reason;
    }

    public int Index { get; } = -1;

    /// <summary>Prometheus' own message, without the index prefix.</summary>
    public string Reason { get; } = "";
}
