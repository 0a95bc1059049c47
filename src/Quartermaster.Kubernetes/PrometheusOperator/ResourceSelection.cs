using Quartermaster.Core.Config;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>
/// Which Prometheus Operator resources the allocator turns into jobs, with prometheus-operator's semantics: a nil
/// monitor selector selects nothing and <c>{}</c> everything; a nil namespace selector selects only the allocator's
/// own namespace (<c>collector_namespace</c>) and <c>{}</c> every namespace; allow and deny lists restrict both.
/// </summary>
public sealed class ResourceSelection
{
    private readonly PrometheusCrConfig _config;
    private readonly HashSet<string>? _allow;
    private readonly HashSet<string> _deny;

    public ResourceSelection(PrometheusCrConfig config, string ownNamespace)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        OwnNamespace = ownNamespace ?? "";
        _allow = config.AllowNamespaces is { Count: > 0 } allow ? new HashSet<string>(allow, StringComparer.Ordinal) : null;
        _deny = new HashSet<string>(config.DenyNamespaces ?? [], StringComparer.Ordinal);
    }

    /// <summary>The namespace a nil namespace selector stands for.</summary>
    public string OwnNamespace { get; }

    /// <summary>The namespaces watched for resources, or <c>null</c> for all of them.</summary>
    public IReadOnlyList<string>? WatchedNamespaces => _allow is null ? null : [.. _allow.Order(StringComparer.Ordinal)];

    /// <summary>Whether resources in <paramref name="ns"/> may be read at all (allow and deny lists).</summary>
    public bool NamespaceAllowed(string ns) => (_allow is null || _allow.Contains(ns)) && !_deny.Contains(ns);

    /// <summary>
    /// Whether a resource is selected. <paramref name="namespaceLabels"/> are the labels of the resource's namespace,
    /// or <c>null</c> when the namespace is not known (then only a nil namespace selector can select it).
    /// </summary>
    public bool Selects(MonitoringKind kind, string ns, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string>? namespaceLabels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var (selector, namespaceSelector) = SelectorsOf(kind);
        if (selector is null || !NamespaceAllowed(ns) || !Matches(selector, labels))
        {
            return false;
        }

        return SelectsNamespace(namespaceSelector, ns, namespaceLabels);
    }

    /// <summary>Whether a change of a namespace's labels can change which resources are selected.</summary>
    public bool NamespaceSelectionChanged(string ns, IReadOnlyDictionary<string, string>? before, IReadOnlyDictionary<string, string>? after)
    {
        foreach (var kind in Enum.GetValues<MonitoringKind>())
        {
            var (selector, namespaceSelector) = SelectorsOf(kind);
            if (selector is not null && SelectsNamespace(namespaceSelector, ns, before) != SelectsNamespace(namespaceSelector, ns, after))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The monitor selector and namespace selector configured for <paramref name="kind"/>.</summary>
    public (LabelSelector? Selector, LabelSelector? NamespaceSelector) SelectorsOf(MonitoringKind kind) => kind switch
    {
        MonitoringKind.ServiceMonitor => (_config.ServiceMonitorSelector, _config.ServiceMonitorNamespaceSelector),
        MonitoringKind.PodMonitor => (_config.PodMonitorSelector, _config.PodMonitorNamespaceSelector),
        MonitoringKind.Probe => (_config.ProbeSelector, _config.ProbeNamespaceSelector),
        MonitoringKind.ScrapeConfig => (_config.ScrapeConfigSelector, _config.ScrapeConfigNamespaceSelector),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private bool SelectsNamespace(LabelSelector? namespaceSelector, string ns, IReadOnlyDictionary<string, string>? namespaceLabels) =>
        namespaceSelector is null
            ? string.Equals(ns, OwnNamespace, StringComparison.Ordinal)
            : namespaceLabels is not null && Matches(namespaceSelector, namespaceLabels);

    /// <summary>
    /// Kubernetes label selector matching: every <c>matchLabels</c> pair and every requirement must hold; an empty
    /// selector matches everything. An unknown operator matches nothing (the API server would reject it).
    /// </summary>
    public static bool Matches(LabelSelector selector, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(labels);
        foreach (var (key, value) in selector.MatchLabels)
        {
            if (!labels.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        foreach (var requirement in selector.MatchExpressions)
        {
            var present = labels.TryGetValue(requirement.Key, out var actual);
            var holds = requirement.Operator switch
            {
                "In" => present && requirement.Values.Contains(actual!, StringComparer.Ordinal),
                "NotIn" => !present || !requirement.Values.Contains(actual!, StringComparer.Ordinal),
                "Exists" => present,
                "DoesNotExist" => !present,
                _ => false,
            };
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }
}
