using System.Globalization;

namespace Quartermaster.LoadTest;

/// <summary>What Linux says about a process: resident memory (now and peak) and CPU time used.</summary>
public readonly record struct ProcStat(long RssBytes, long PeakRssBytes, double CpuSeconds)
{
    /// <summary>Clock ticks per second of <c>/proc/[pid]/stat</c> times (USER_HZ, 100 on every Linux ABI .NET runs on).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>Reads <c>/proc/[pid]/status</c> (VmRSS, VmHWM) and <c>/proc/[pid]/stat</c> (utime + stime); <c>null</c> once the process is gone.</summary>
    public static ProcStat? Read(int pid)
    {
        try
        {
            long rss = 0, peak = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kilobytes(line) * 1024;
                }
            }

            // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            return new ProcStat(rss, peak, cpu);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The 1-, 5- and 15-minute load averages, as <c>/proc/loadavg</c> gives them.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
