using System.Globalization;
using System.Text.Json;
using static Quartermaster.Kubernetes.PrometheusOperator.GenerationContext;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>ServiceMonitor and PodMonitor generation (<c>generateServiceMonitorConfig</c>, <c>generatePodMonitorConfig</c>).</summary>
public static partial class ScrapeConfigGenerator
{
    private const string RoleSelectorMechanism = "RoleSelector";

    private static List<(string, YamlBlock)> ServiceMonitor(GenerationContext c)
    {
        var spec = c.SpecRoot;
        const string sp = "spec";
        var role = Spec.String(spec, "serviceDiscoveryRole", sp) switch
        {
            null or "" or "EndpointSlice" => "endpointslice",
            "Endpoints" => "endpoints",
            var other => throw new ResourceInvalidException($"spec.serviceDiscoveryRole: {JsonSerializer.Serialize(other)} is not EndpointSlice or Endpoints"),
        };
        var k = role == "endpointslice" ? "__meta_kubernetes_endpointslice" : "__meta_kubernetes_endpoint";
        var selector = Spec.Object(spec, "selector", sp);
        var roleSelector = SelectorMechanism(spec, sp);
        var namespaces = c.Namespaces(spec, sp);
        var attachNode = AttachMetadata(c, spec, sp);
        var jobLabel = Spec.NonEmpty(spec, "jobLabel", sp);
        var targetLabels = Spec.Strings(spec, "targetLabels", sp);
        var podTargetLabels = Spec.Strings(spec, "podTargetLabels", sp);
        var endpoints = Spec.Array(spec, "endpoints", sp);
        var result = new List<(string, YamlBlock)>(endpoints.Count);
        for (var i = 0; i < endpoints.Count; i++)
        {
            var ep = endpoints[i];
            var p = Spec.Index("spec.endpoints", i);
            if (ep.ValueKind != JsonValueKind.Object)
            {
                throw Spec.Invalid(p, "an object", ep);
            }

            var name = $"serviceMonitor/{c.Resource.Namespace}/{c.Resource.Name}/{i.ToString(CultureInfo.InvariantCulture)}";
            var job = new YamlBlock().Add("job_name", name);
            job.Add("honor_labels", Spec.Bool(ep, "honorLabels", p) ?? false);
            AddBool(job, "honor_timestamps", Spec.Bool(ep, "honorTimestamps", p));
            AddBool(job, "track_timestamps_staleness", Spec.Bool(ep, "trackTimestampsStaleness", p));
            var sd = new YamlBlock().Add("role", role);
            if (namespaces is not null)
            {
                sd.Add("namespaces", new YamlBlock().Add("names", namespaces));
            }

            if (attachNode is { } node)
            {
                sd.Add("attach_metadata", new YamlBlock().Add("node", node));
            }

            if (roleSelector)
            {
                var label = SelectorString(selector, "spec.selector");
                sd.Add("selectors", new List<object>
                {
                    new YamlBlock().Add("role", role).Add("label", label),
                    new YamlBlock().Add("role", "service").Add("label", label),
                });
            }

            job.Add("kubernetes_sd_configs", new List<object> { sd });
            EndpointScrapeFields(c, job, ep, p);

            var rules = InitRelabelings();
            if (!roleSelector)
            {
                rules.AddRange(SelectorRules(selector, "service", "spec.selector"));
            }

            var port = Spec.String(ep, "port", p);
            var (targetPortName, targetPortNumber) = TargetPort(ep, p);
            if (!string.IsNullOrEmpty(port))
            {
                rules.Add(Rule().Add("action", "keep").Add("source_labels", List(k + "_port_name")).Add("regex", port));
            }
            else if (targetPortName is not null)
            {
                rules.Add(Rule().Add("action", "keep").Add("source_labels", List("__meta_kubernetes_pod_container_port_name")).Add("regex", targetPortName));
            }
            else if (targetPortNumber is { } number)
            {
                rules.Add(Rule().Add("action", "keep").Add("source_labels", List("__meta_kubernetes_pod_container_port_number"))
                    .Add("regex", number.ToString(CultureInfo.InvariantCulture)));
            }

            foreach (var (kind, target) in new[] { ("Node", "node"), ("Pod", "pod") })
            {
                rules.Add(Rule().Add("source_labels", List(k + "_address_target_kind", k + "_address_target_name")).Add("separator", ";")
                    .Add("regex", kind + ";(.*)").Add("replacement", "${1}").Add("target_label", target));
            }

            rules.Add(Copy("__meta_kubernetes_namespace", "namespace"));
            rules.Add(Copy("__meta_kubernetes_service_name", "service"));
            rules.Add(Copy("__meta_kubernetes_pod_name", "pod"));
            rules.Add(Copy("__meta_kubernetes_pod_container_name", "container"));
            if (Spec.Bool(ep, "filterRunning", p) != false)
            {
                rules.Add(RunningFilter());
            }

            foreach (var l in targetLabels)
            {
                rules.Add(LabelCopy("__meta_kubernetes_service_label_", l));
            }

            foreach (var l in podTargetLabels)
            {
                rules.Add(LabelCopy("__meta_kubernetes_pod_label_", l));
            }

            rules.Add(Rule().Add("source_labels", List("__meta_kubernetes_service_name")).Add("target_label", "job").Add("replacement", "${1}"));
            if (jobLabel.Length > 0)
            {
                rules.Add(Rule().Add("source_labels", List("__meta_kubernetes_service_label_" + Sanitize(jobLabel))).Add("target_label", "job")
                    .Add("regex", "(.+)").Add("replacement", "${1}"));
            }

            var endpointName = !string.IsNullOrEmpty(port) ? port : targetPortName ?? targetPortNumber?.ToString(CultureInfo.InvariantCulture);
            FinishEndpoint(c, job, rules, endpointName, ep, p, spec, sp);
            result.Add((name, job));
        }

        return result;
    }

    private static List<(string, YamlBlock)> PodMonitor(GenerationContext c)
    {
        var spec = c.SpecRoot;
        const string sp = "spec";
        var selector = Spec.Object(spec, "selector", sp);
        var roleSelector = SelectorMechanism(spec, sp);
        var namespaces = c.Namespaces(spec, sp);
        var attachNode = AttachMetadata(c, spec, sp);
        var jobLabel = Spec.NonEmpty(spec, "jobLabel", sp);
        var podTargetLabels = Spec.Strings(spec, "podTargetLabels", sp);
        var endpoints = Spec.Array(spec, "podMetricsEndpoints", sp);
        var result = new List<(string, YamlBlock)>(endpoints.Count);
        for (var i = 0; i < endpoints.Count; i++)
        {
            var ep = endpoints[i];
            var p = Spec.Index("spec.podMetricsEndpoints", i);
            if (ep.ValueKind != JsonValueKind.Object)
            {
                throw Spec.Invalid(p, "an object", ep);
            }

            var name = $"podMonitor/{c.Resource.Namespace}/{c.Resource.Name}/{i.ToString(CultureInfo.InvariantCulture)}";
            var job = new YamlBlock().Add("job_name", name);
            job.Add("honor_labels", Spec.Bool(ep, "honorLabels", p) ?? false);
            AddBool(job, "honor_timestamps", Spec.Bool(ep, "honorTimestamps", p));
            AddBool(job, "track_timestamps_staleness", Spec.Bool(ep, "trackTimestampsStaleness", p));
            var sd = new YamlBlock().Add("role", "pod");
            if (namespaces is not null)
            {
                sd.Add("namespaces", new YamlBlock().Add("names", namespaces));
            }

            if (attachNode is { } node)
            {
                sd.Add("attach_metadata", new YamlBlock().Add("node", node));
            }

            if (roleSelector)
            {
                sd.Add("selectors", new List<object> { new YamlBlock().Add("role", "pod").Add("label", SelectorString(selector, "spec.selector")) });
            }

            job.Add("kubernetes_sd_configs", new List<object> { sd });
            EndpointScrapeFields(c, job, ep, p);

            var rules = InitRelabelings();
            if (Spec.Bool(ep, "filterRunning", p) != false)
            {
                rules.Add(RunningFilter());
            }

            if (!roleSelector)
            {
                rules.AddRange(SelectorRules(selector, "pod", "spec.selector"));
            }

            var port = Spec.String(ep, "port", p);
            var portNumber = Spec.Integer(ep, "portNumber", p);
            var (targetPortName, targetPortNumber) = TargetPort(ep, p);
            if (!string.IsNullOrEmpty(port))
            {
                rules.Add(Rule().Add("action", "keep").Add("source_labels", List("__meta_kubernetes_pod_container_port_name")).Add("regex", port));
            }
            else if (portNumber is { } pn)
            {
                if (pn is < 1 or > 65535)
                {
                    throw new ResourceInvalidException($"{p}.portNumber: {pn.ToString(CultureInfo.InvariantCulture)} is not a valid port number");
                }

                rules.Add(Rule().Add("action", "keep").Add("source_labels", List("__meta_kubernetes_pod_container_port_number"))
                    .Add("regex", pn.ToString(CultureInfo.InvariantCulture)));
            }
            else if (targetPortName is not null)
            {
                rules.Add(Rule().Add("action", "keep").Add("source_labels", List("__meta_kubernetes_pod_container_port_name")).Add("regex", targetPortName));
            }
            else if (targetPortNumber is { } tn)
            {
                rules.Add(Rule().Add("action", "keep").Add("source_labels", List("__meta_kubernetes_pod_container_port_number"))
                    .Add("regex", tn.ToString(CultureInfo.InvariantCulture)));
            }

            rules.Add(Copy("__meta_kubernetes_namespace", "namespace"));
            rules.Add(Copy("__meta_kubernetes_pod_container_name", "container"));
            rules.Add(Copy("__meta_kubernetes_pod_name", "pod"));
            foreach (var l in podTargetLabels)
            {
                rules.Add(LabelCopy("__meta_kubernetes_pod_label_", l));
            }

            rules.Add(Rule().Add("target_label", "job").Add("replacement", $"{c.Resource.Namespace}/{c.Resource.Name}"));
            if (jobLabel.Length > 0)
            {
                rules.Add(Rule().Add("source_labels", List("__meta_kubernetes_pod_label_" + Sanitize(jobLabel))).Add("target_label", "job")
                    .Add("regex", "(.+)").Add("replacement", "${1}"));
            }

            var endpointName = !string.IsNullOrEmpty(port) ? port : targetPortName ?? targetPortNumber?.ToString(CultureInfo.InvariantCulture);
            FinishEndpoint(c, job, rules, endpointName, ep, p, spec, sp);
            result.Add((name, job));
        }

        return result;
    }

    /// <summary>
    /// The tail both monitor kinds share: the <c>endpoint</c> label, scrape-class and user relabelings, the sharding
    /// rules, limits and protocols, and the metric relabelings.
    /// </summary>
    private static void FinishEndpoint(
        GenerationContext c, YamlBlock job, List<object> rules, string? endpointName, JsonElement ep, string p, JsonElement spec, string sp)
    {
        if (!string.IsNullOrEmpty(endpointName))
        {
            rules.Add(Rule().Add("target_label", "endpoint").Add("replacement", endpointName));
        }

        rules.AddRange(c.ClassRelabelings());
        rules.AddRange(Relabels(ep, "relabelings", p));
        c.AppendSharding(rules, "__address__");
        c.AddRelabelList(job, "relabel_configs", rules);
        c.LimitsAndProtocols(job, spec, sp);
        var metricRules = c.ClassMetricRelabelings();
        metricRules.AddRange(Relabels(ep, "metricRelabelings", p));
        c.AddRelabelList(job, "metric_relabel_configs", metricRules);
    }

    /// <summary>The endpoint's scrape and HTTP client fields, in the order the operator writes them.</summary>
    private static void EndpointScrapeFields(GenerationContext c, YamlBlock job, JsonElement ep, string p)
    {
        AddString(job, "scrape_interval", Spec.String(ep, "interval", p));
        AddString(job, "scrape_timeout", Spec.String(ep, "scrapeTimeout", p));
        AddString(job, "metrics_path", Spec.String(ep, "path", p));
        if (Params(ep, p) is { } parameters)
        {
            job.Add("params", parameters);
        }

        AddString(job, "scheme", Spec.String(ep, "scheme", p)?.ToLowerInvariant());
        AddBool(job, "follow_redirects", Spec.Bool(ep, "followRedirects", p));
        AddBool(job, "enable_http2", Spec.Bool(ep, "enableHttp2", p));
        c.Proxy(job, ep, p);
        c.OAuth2(job, ep, p);
        if (c.MergeClassTls(GenerationContext.ReadTls(ep, "tlsConfig", p)) is { } tls)
        {
            job.Add("tls_config", c.TlsYaml(tls));
        }

        AddString(job, "bearer_token_file", Spec.String(ep, "bearerTokenFile", p));
        c.BearerTokenSecret(job, ep, p);
        c.BasicAuth(job, ep, p);
        c.Authorization(job, ep, p, useScrapeClass: true);
    }

    private static bool SelectorMechanism(JsonElement spec, string sp) => Spec.String(spec, "selectorMechanism", sp) switch
    {
        null or "" or "RelabelConfig" => false,
        RoleSelectorMechanism => true,
        var other => throw new ResourceInvalidException($"spec.selectorMechanism: {JsonSerializer.Serialize(other)} is not RelabelConfig or RoleSelector"),
    };

    private static bool? AttachMetadata(GenerationContext c, JsonElement spec, string sp) =>
        Spec.Object(spec, "attachMetadata", sp) is { } a ? Spec.Bool(a, "node", "spec.attachMetadata") : c.ScrapeClass?.AttachMetadataNode;

    /// <summary>The deprecated <c>targetPort</c> (an int or a string); any other form rejects the resource.</summary>
    private static (string? Name, long? Number) TargetPort(JsonElement ep, string p)
    {
        if (Spec.Field(ep, "targetPort") is not { } tp)
        {
            return (null, null);
        }

        switch (tp.ValueKind)
        {
            case JsonValueKind.String when tp.GetString() is { Length: > 0 } s:
                return (s, null);
            case JsonValueKind.String:
                return (null, null);
            case JsonValueKind.Number when tp.TryGetInt64(out var n) && n is >= 0 and <= 65535:
                return (null, n == 0 ? null : n);
            default:
                throw new ResourceInvalidException($"{p}.targetPort: expected a port number or name, got {tp.GetRawText()}");
        }
    }

    private static YamlBlock Copy(string source, string target) => Rule().Add("source_labels", List(source)).Add("target_label", target);

    private static YamlBlock LabelCopy(string prefix, string label) =>
        Rule().Add("source_labels", List(prefix + Sanitize(label))).Add("target_label", Sanitize(label)).Add("regex", "(.+)").Add("replacement", "${1}");
}
