using Quartermaster.Cli;

namespace Quartermaster.IntegrationTests.Check;

/// <summary>Runs qmctl's entry point in process, as the command line would.</summary>
internal static class QmctlRunner
{
    public static int Run(params string[] args)
    {
        var entry = typeof(AllocatorClient).Assembly.EntryPoint!;
        var result = entry.Invoke(null, [args]);
        return result is Task<int> task ? task.GetAwaiter().GetResult() : (int)result!;
    }
}
