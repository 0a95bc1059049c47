namespace Quartermaster.Core.Discovery;

/// <summary>
/// A running service discovery mechanism (one <c>*_sd_configs</c> entry, or all of a job's <c>static_configs</c>).
/// </summary>
/// <remarks>
/// Mirrors Prometheus' <c>Discoverer.Run</c>: the provider calls <c>publish</c> with the groups that changed
/// (a group with no targets deletes the group of that source) until <c>cancellationToken</c> fires.
/// A provider that fails to refresh publishes nothing, so its last targets stay in force.
/// </remarks>
public interface IDiscoveryProvider
{
    /// <summary>A short name for logs and metrics, such as <c>file_sd</c> or <c>http_sd</c>.</summary>
    string Mechanism { get; }

    Task RunAsync(Action<IReadOnlyList<TargetGroup>> publish, CancellationToken cancellationToken);
}
