namespace Quartermaster.Core.Discovery;

/// <summary>
/// The health of one discovery source: whether its last refresh failed, and why. Providers report every refresh;
/// the owner logs and counts only changes of state, so a source failing every 5 seconds logs once.
/// </summary>
public sealed class SourceStatus
{
    private readonly object _gate = new();
    private readonly Action<SourceStatus, string?>? _onStateChange;
    private string? _lastError;
    private string? _warning;
    private long _failures;

    public SourceStatus(string job, string mechanism, string name, Action<SourceStatus, string?>? onStateChange = null)
    {
        Job = job;
        Mechanism = mechanism;
        Name = name;
        _onStateChange = onStateChange;
    }

    public string Job { get; }

    public string Mechanism { get; }

    /// <summary>What the source reads: a URL, a file glob, or <c>static</c>.</summary>
    public string Name { get; }

    public string? LastError
    {
        get
        {
            lock (_gate)
            {
                return _lastError;
            }
        }
    }

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>
    /// A problem that degrades the source without failing it, e.g. changes noticed only every refresh interval
    /// because its directory cannot be watched; <c>null</c> when there is none.
    /// </summary>
    public string? Warning
    {
        get
        {
            lock (_gate)
            {
                return _warning;
            }
        }
    }

    /// <summary>Sets or (with <c>null</c>) clears <see cref="Warning"/>; returns whether it changed.</summary>
    public bool ReportWarning(string? warning)
    {
        lock (_gate)
        {
            var changed = !string.Equals(_warning, warning, StringComparison.Ordinal);
            _warning = warning;
            return changed;
        }
    }

    public void ReportSuccess() => Transition(null);

    public void ReportFailure(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        Interlocked.Increment(ref _failures);
        Transition(reason);
    }

    private void Transition(string? error)
    {
        bool changed;
        lock (_gate)
        {
            changed = !string.Equals(_lastError, error, StringComparison.Ordinal);
            _lastError = error;
        }

        if (changed)
        {
            _onStateChange?.Invoke(this, error);
        }
    }
}
