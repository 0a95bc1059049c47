using Quartermaster.Core.Allocation;
using Quartermaster.Core.Config;

namespace Quartermaster.Core.Pipeline;

/// <summary>What the pipeline needs from one applied configuration.</summary>
public sealed class PipelineConfig
{
    public required IReadOnlyList<ScrapeConfig> Jobs { get; init; }

    public required bool RelabelFiltering { get; init; }

    /// <summary><c>/scrape_configs</c> bytes, redacted.</summary>
    public required byte[] ScrapeConfigsRedacted { get; init; }

    /// <summary><c>/scrape_configs</c> bytes with secrets in clear.</summary>
    public required byte[] ScrapeConfigsWithSecrets { get; init; }

    /// <summary>A short hash of the configuration, shown to people and tools.</summary>
    public required string Version { get; init; }

    /// <summary>The strategy to use from now on; <c>null</c> keeps the current one.</summary>
    public IAllocationStrategy? Strategy { get; init; }

    /// <summary><c>collector_not_ready_grace_period</c>; <c>null</c> keeps the current one.</summary>
    public TimeSpan? CollectorNotReadyGracePeriod { get; init; }

    /// <summary>Whether target bodies are kept only gzip-compressed (<c>http_server.compress_stored_bodies</c>).</summary>
    public bool CompressBodies { get; init; }

    /// <summary>Collectors from the configuration; <c>null</c> when another source owns the collector set.</summary>
    public IReadOnlyList<CollectorInfo>? StaticCollectors { get; init; }
}
