using System.Diagnostics.Tracing;
using System.Globalization;

namespace Quartermaster.Benchmarks;

/// <summary>
/// Samples what a run allocates, by type, from the runtime's allocation ticks (one event per ~100 KB allocated):
/// <c>QM_BENCH_ALLOCS=1</c> with <c>--pipeline-stopwatch</c>. Approximate by design; it shows where bytes go.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private bool _recording;

    public void Start()
    {
        lock (_gate)
        {
            _bytes.Clear();
            _recording = true;
        }
    }

    /// <summary>Stops recording and prints the <paramref name="top"/> types by sampled bytes.</summary>
    public void Report(int top)
    {
        List<KeyValuePair<string, long>> rows;
        lock (_gate)
        {
            _recording = false;
            rows = [.. _bytes.OrderByDescending(r => r.Value).Take(top)];
        }

        foreach (var (type, bytes) in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes / 1048576.0,9:F1} MiB  {type}"));
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        ArgumentNullException.ThrowIfNull(eventSource);
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (!eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) ?? true)
        {
            return;
        }

        var index = eventData.PayloadNames?.IndexOf("TypeName") ?? -1;
        var amount = eventData.PayloadNames?.IndexOf("AllocationAmount64") ?? -1;
        if (index < 0 || amount < 0)
        {
            return;
        }

        var type = eventData.Payload![index] as string ?? "?";
        var bytes = Convert.ToInt64(eventData.Payload[amount], CultureInfo.InvariantCulture);
        lock (_gate)
        {
            if (_recording)
            {
                _bytes[type] = _bytes.GetValueOrDefault(type) + bytes;
            }
        }
    }
}
