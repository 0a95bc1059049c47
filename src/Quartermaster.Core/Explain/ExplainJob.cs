using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Explain;

/// <summary>The pipeline's current state of one job, as explain reads it on the pipeline's own thread.</summary>
internal sealed record ExplainJob(
    ScrapeConfig Config, TargetFilter Filter, IEnumerable<(string Source, TargetGroup Group)> Groups, int Duplicates);
