using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;
using Quartermaster.Benchmarks;

if (args is ["--stopwatch", .. var sizes])
{
    return AllocationStopwatch.Run(sizes);
}

if (args is ["--pipeline-stopwatch", .. var pipelineArgs])
{
    return PipelineStopwatch.Run(pipelineArgs);
}

if (args is ["--relabel-stopwatch", .. var rounds])
{
    return RelabelStopwatch.Run(rounds);
}

if (args is ["--pod-list", var podCount])
{
    return await PodListStopwatch.RunAsync(int.Parse(podCount, System.Globalization.CultureInfo.InvariantCulture));
}

if (args is ["--fake-api-server", var servedPods, var directory])
{
    return await PodListStopwatch.ServeAsync(int.Parse(servedPods, System.Globalization.CultureInfo.InvariantCulture), directory);
}

var config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default);
var summaries = BenchmarkSwitcher.FromAssembly(typeof(AllocationStopwatch).Assembly).Run(args, config);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
