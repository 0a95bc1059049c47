using BenchmarkDotNet.Attributes;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Benchmarks;

/// <summary>
/// One relabel regex match with its captures (<see cref="GoRegex.Match"/>) and without (<see cref="GoRegex.IsMatch(ReadOnlySpan{char})"/>),
/// on a label-value-sized input: a pattern on the .NET engine and one that repeats a capturing group able to match
/// empty, which runs on Go's backtracker (<see cref="GoProgram"/>).
/// </summary>
[MemoryDiagnoser]
public class RelabelRegexBenchmarks
{
    private GoRegex _regex = null!;
    private string _input = "";

    public enum Kind
    {
        /// <summary><c>([a-z]+)-([a-z]+)-(\d+)</c>: .NET engine.</summary>
        Plain,

        /// <summary><c>(([a-z]*-?)*)(\d+)</c>: Go's backtracker.</summary>
        NullableLoop,
    }

    [Params(Kind.Plain, Kind.NullableLoop)]
    public Kind Pattern { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _regex = GoRegex.Get(Pattern == Kind.Plain ? "([a-z]+)-([a-z]+)-(\\d+)" : "(([a-z]*-?)*)(\\d+)");
        _input = "checkout-frontend-12345";
        if (_regex.UsesGoProgram != (Pattern == Kind.NullableLoop) || _regex.Match(_input) is null)
        {
            throw new InvalidOperationException("benchmark pattern does not take the intended path");
        }
    }

    [Benchmark]
    public int Match() => _regex.Match(_input)!.Span.End;

    [Benchmark]
    public bool IsMatch() => _regex.IsMatch(_input.AsSpan());
}
