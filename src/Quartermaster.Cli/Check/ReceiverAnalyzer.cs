using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Quartermaster.Cli.Check;

/// <summary>
/// Finds the Prometheus receivers in a collector config, an <c>OpenTelemetryCollector</c> manifest (v1alpha1:
/// <c>spec.config</c> as a string; v1beta1: as a mapping) or a file of several documents, and checks how each one
/// talks to the target allocator.
/// </summary>
internal static partial class ReceiverAnalyzer
{
    public const string TargetAllocatorLabel = "opentelemetry.io/target-allocator";

    private static readonly TimeSpan ShortInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LongInterval = TimeSpan.FromMinutes(5);

    private static readonly string[] TargetAllocatorKeys =
    [
        "endpoint", "interval", "collector_id", "tls", "http_sd_config", "http_scrape_config", "headers", "auth", "timeout",
        "proxy_url", "compression", "read_buffer_size", "write_buffer_size", "max_idle_conns", "idle_conn_timeout",
    ];

    /// <summary>Reads <paramref name="text"/>; <paramref name="sourceName"/> names the file in messages.</summary>
    public static ReceiverAnalysis Analyze(string text, string sourceName)
    {
        if (!YamlFile.TryLoad(text, out var documents, out var elided, out var error))
        {
            return new([], [], $"{sourceName} is not YAML: {error}");
        }

        var fileFindings = new List<Finding>();
        if (elided > 0)
        {
            fileFindings.Add(Finding.Warn("(file)", $"ignored {elided} elided line(s) written as \"...\"; the rest was read"));
        }

        var roots = documents.Select(d => d.RootNode).ToList();
        if (roots.Count == 0 || roots.All(r => r is not YamlMappingNode))
        {
            return new([], fileFindings, $"{sourceName} is not a YAML mapping: expected a collector config with receivers: or a Kubernetes manifest");
        }

        var allocators = roots
            .Where(r => r.Text("kind") == "TargetAllocator")
            .GroupBy(r => r.Get("metadata").Text("name") ?? "", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Get("spec").Text("allocationStrategy"), StringComparer.Ordinal);
        var receivers = new List<ReceiverReport>();
        var otherReceivers = new List<string>();
        var linkedAllocators = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < roots.Count; i++)
        {
            if (roots[i] is not YamlMappingNode root)
            {
                continue;
            }

            var documentName = roots.Count > 1 ? $", document {i + 1}" : "";
            var kind = root.Text("kind");
            if (kind == "OpenTelemetryCollector")
            {
                var manifest = ReadManifest(root, allocators);
                if (manifest.LinkedAllocator is { } linked)
                {
                    linkedAllocators.Add(linked);
                }

                var source = $"OpenTelemetryCollector {manifest.Name} ({manifest.ApiVersion}){documentName}";
                if (ManifestConfig(root, manifest, sourceName, fileFindings) is { } config)
                {
                    AnalyzeConfig(config, "spec.config.", source, manifest, receivers, otherReceivers);
                }
            }
            else if (kind == "TargetAllocator")
            {
                fileFindings.AddRange(CheckTargetAllocatorManifest(root, documentName));
            }
            else if (root.Get("receivers") is not null)
            {
                AnalyzeConfig(root, "", "collector config" + documentName, null, receivers, otherReceivers);
            }
            else if (kind is not null)
            {
                fileFindings.Add(Finding.Ok($"(document {i + 1})", $"{kind} {root.Get("metadata").Text("name")}: not a collector, skipped"));
            }
        }

        foreach (var name in allocators.Keys.Where(a => !linkedAllocators.Contains(a)))
        {
            fileFindings.Add(Finding.Warn(
                $"TargetAllocator {name}",
                $"no OpenTelemetryCollector in this file carries the label {TargetAllocatorLabel}: {name}, so no collector uses it"));
        }

        if (receivers.Count == 0)
        {
            var found = otherReceivers.Count == 0 ? "no receivers at all" : "receivers " + string.Join(", ", otherReceivers);
            return new([], fileFindings,
                $"{sourceName} holds no Prometheus receiver (a receiver named prometheus or prometheus/<name>); found {found}");
        }

        return new(receivers, fileFindings, null);
    }

    private static YamlNode? ManifestConfig(YamlMappingNode root, Manifest manifest, string sourceName, List<Finding> fileFindings)
    {
        var config = root.Get("spec").Get("config");
        var beta = manifest.ApiVersion.EndsWith("/v1beta1", StringComparison.Ordinal);
        switch (config)
        {
            case YamlScalarNode { Value: { Length: > 0 } text }:
                if (beta)
                {
                    fileFindings.Add(Finding.Error("spec.config", $"{manifest.ApiVersion} expects spec.config as a mapping, not a string"));
                }

                if (!YamlFile.TryLoad(text, out var inner, out var elided, out var error))
                {
                    fileFindings.Add(Finding.Error("spec.config", $"the config string in {sourceName} is not YAML: {error}"));
                    return null;
                }

                if (elided > 0)
                {
                    fileFindings.Add(Finding.Warn("spec.config", $"ignored {elided} elided line(s) written as \"...\""));
                }

                return inner.Count > 0 ? inner[0].RootNode : null;
            case YamlMappingNode map:
                if (!beta)
                {
                    fileFindings.Add(Finding.Error("spec.config", $"{manifest.ApiVersion} expects spec.config as a string (config: |), not a mapping"));
                }

                return map;
            default:
                fileFindings.Add(Finding.Error("spec.config", $"OpenTelemetryCollector {manifest.Name} has no spec.config"));
                return null;
        }
    }

    private static Manifest ReadManifest(YamlMappingNode root, Dictionary<string, string?> allocatorsInFile)
    {
        var spec = root.Get("spec");
        var labels = root.Get("metadata").Get("labels");
        var linked = labels.Text(TargetAllocatorLabel);
        bool? enabled = spec.Get("targetAllocator").Text("enabled") is { } e ? e.Equals("true", StringComparison.OrdinalIgnoreCase) : null;
        int? replicas = int.TryParse(spec.Text("replicas"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
        return new Manifest(
            root.Get("metadata").Text("name") ?? "(unnamed)",
            root.Text("apiVersion") ?? "(no apiVersion)",
            enabled,
            spec.Text("mode"),
            replicas,
            linked is not null && allocatorsInFile.TryGetValue(linked, out var strategy)
                ? strategy
                : spec.Get("targetAllocator").Text("allocationStrategy"),
            linked,
            linked is not null && allocatorsInFile.ContainsKey(linked));
    }

    private static void AnalyzeConfig(
        YamlNode config, string prefix, string source, Manifest? manifest, List<ReceiverReport> receivers, List<string> otherReceivers)
    {
        var pipelines = config.Get("service").Get("pipelines").Entries()
            .Select(p => (Name: p.Key, Receivers: p.Value.Get("receivers").Items().OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList()))
            .ToList();
        var hasPipelines = config.Get("service").Get("pipelines") is YamlMappingNode;
        foreach (var (name, node) in config.Get("receivers").Entries())
        {
            if (name != "prometheus" && !name.StartsWith("prometheus/", StringComparison.Ordinal))
            {
                otherReceivers.Add(name);
                continue;
            }

            var path = prefix + "receivers." + name;
            var findings = new List<Finding>();
            var ta = node.Get("target_allocator");
            if (node.IsEmptyScalar())
            {
                findings.Add(Finding.Error(path, "is empty: give it config.scrape_configs or a target_allocator block"));
            }

            if (node.Get("config").Get("target_allocator") is not null)
            {
                findings.Add(Finding.Error(path + ".config.target_allocator", "is inside config: move target_allocator one level up, beside config"));
            }

            if (manifest is not null)
            {
                findings.AddRange(CheckManifest(manifest, ta is not null));
            }

            if (ta is null)
            {
                findings.Add(manifest?.Deploys == true
                    ? Finding.Warn(path + ".target_allocator", $"is absent; the operator adds one pointing at {manifest.ExpectedUrl}, since it deploys the allocator")
                    : Finding.Warn(path + ".target_allocator", "is absent: this receiver scrapes only its own scrape_configs and never asks an allocator"));
            }
            else
            {
                findings.AddRange(CheckTargetAllocator(ta, path + ".target_allocator", manifest));
            }

            findings.AddRange(CheckEscaping(node.Get("config"), path + ".config"));
            var usedBy = pipelines.Where(p => p.Receivers.Contains(name, StringComparer.Ordinal)).Select(p => p.Name).ToList();
            findings.AddRange(CheckPipelines(prefix, name, usedBy, hasPipelines));
            receivers.Add(new ReceiverReport(
                name, source, path, ta.Text("endpoint"), ta.Text("interval"), ta.Text("collector_id"), usedBy, findings));
        }
    }

    private static IEnumerable<Finding> CheckManifest(Manifest manifest, bool hasTargetAllocatorBlock)
    {
        if (manifest.LinkedAllocator is { } linked)
        {
            yield return manifest.LinkedInFile
                ? Finding.Ok("metadata.labels", $"uses TargetAllocator {linked} (label {TargetAllocatorLabel}), defined in this file")
                : Finding.Warn("metadata.labels", $"uses TargetAllocator {linked} (label {TargetAllocatorLabel}), which is not in this file: make sure it exists");
        }
        else if (manifest.Enabled == true)
        {
            yield return Finding.Ok("spec.targetAllocator.enabled", $"true: the operator deploys the allocator as service {manifest.Name}-targetallocator");
        }
        else if (hasTargetAllocatorBlock)
        {
            yield return Finding.Warn(
                "spec.targetAllocator.enabled",
                (manifest.Enabled == false ? "is false" : "is not set") +
                ": the operator deploys no allocator, so target_allocator.endpoint must reach one you run yourself");
        }

        if (manifest.Deploys)
        {
            var mode = manifest.Mode ?? "deployment";
            var perNode = manifest.Strategy == "per-node";
            if (perNode ? mode is not ("daemonset" or "statefulset") : mode != "statefulset")
            {
                yield return Finding.Error(
                    "spec.mode",
                    $"is {mode}{(manifest.Mode is null ? " (the default)" : "")}: the operator runs the target allocator only with mode statefulset" +
                    (perNode ? " or daemonset" : "") + (manifest.Strategy is null ? "" : $" for allocationStrategy {manifest.Strategy}"));
            }
        }
    }

    private static IEnumerable<Finding> CheckTargetAllocator(YamlNode ta, string path, Manifest? manifest)
    {
        if (ta is not YamlMappingNode)
        {
            yield return Finding.Error(path, "must be a mapping with endpoint, interval and collector_id");
            yield break;
        }

        foreach (var (key, _) in ta.Entries())
        {
            if (!TargetAllocatorKeys.Contains(key, StringComparer.Ordinal))
            {
                var near = TargetAllocatorKeys.FirstOrDefault(k => Normalize(k) == Normalize(key));
                yield return Finding.Error(path + "." + key, near is null ? "is not a target_allocator setting" : $"is not a setting; did you mean {near}?");
            }
        }

        foreach (var f in CheckEndpoint(ta, path, manifest))
        {
            yield return f;
        }

        yield return CheckInterval(ta.Get("interval"), path + ".interval");
        foreach (var f in CheckCollectorId(ta.Text("collector_id"), path + ".collector_id", manifest))
        {
            yield return f;
        }
    }

    private static string Normalize(string key) => key.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();

    private static IEnumerable<Finding> CheckEndpoint(YamlNode ta, string taPath, Manifest? manifest)
    {
        var path = taPath + ".endpoint";
        var endpoint = ta.Text("endpoint");
        var hasTls = ta.Get("tls") is YamlMappingNode;
        var example = manifest?.ExpectedUrl ?? "http://<collector>-targetallocator";
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            yield return Finding.Error(path, $"is missing: set it to the allocator's service URL, such as {example}");
            yield break;
        }

        if (endpoint.Contains('$', StringComparison.Ordinal))
        {
            yield return Finding.Warn(path, $"{endpoint} comes from the environment and cannot be checked here");
            yield break;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Host.Length == 0)
        {
            if (BareHost().IsMatch(endpoint))
            {
                yield return Finding.Warn(path, $"{endpoint} has no scheme: the collector needs a URL, write http://{endpoint}");
            }
            else
            {
                yield return Finding.Error(path, $"{endpoint} is not an http or https URL, such as {example}");
            }

            yield break;
        }

        var trimmed = uri.AbsolutePath.TrimEnd('/');
        if (trimmed.EndsWith("/scrape_configs", StringComparison.Ordinal) || trimmed.Contains("/jobs", StringComparison.Ordinal))
        {
            yield return Finding.Error(path, $"{endpoint} includes an API path: the collector appends /scrape_configs and /jobs/... itself; " +
                $"write {uri.GetLeftPart(UriPartial.Authority)}");
        }
        else
        {
            var port = uri.IsDefaultPort ? $"default port {uri.Port}" : $"port {uri.Port}";
            yield return Finding.Ok(path, $"{endpoint}: host {uri.Host}, {port}");
        }

        if (uri.IsLoopback || uri.Host == "0.0.0.0")
        {
            yield return Finding.Warn(path, $"{uri.Host} is the collector's own pod, not the allocator's service");
        }

        if (manifest?.ExpectedHost is { } expected && !uri.IsLoopback
            && !uri.Host.Split('.')[0].Equals(expected, StringComparison.OrdinalIgnoreCase))
        {
            yield return Finding.Warn(path, $"host {uri.Host} is not the allocator service the operator creates ({expected})");
        }

        if (uri.Scheme == Uri.UriSchemeHttps && !hasTls)
        {
            yield return Finding.Warn(taPath + ".tls", "is absent for an https endpoint: the collector checks the allocator's certificate " +
                "against the system CAs; set tls.ca_file (and cert_file/key_file for mutual TLS)");
        }
        else if (uri.Scheme == Uri.UriSchemeHttp && hasTls)
        {
            yield return Finding.Warn(taPath + ".tls", "is set but the endpoint is plain http, so it is not used: write https://");
        }
        else if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            yield return Finding.Warn(path, "is plain http without TLS settings: the allocator sends scrape-config secrets as <secret> " +
                "unless allow_insecure_auth_secrets is set; use https with tls settings for jobs with credentials");
        }
    }

    private static Finding CheckInterval(YamlNode? node, string path)
    {
        if (node.IsEmptyScalar())
        {
            return Finding.Ok(path, "not set: the collector polls every 30s");
        }

        var text = (node as YamlScalarNode)?.Value ?? "";
        if (text.Length > 0 && text.All(char.IsAsciiDigit) && text != "0")
        {
            return Finding.Error(path, $"{text} has no unit and is read as nanoseconds: write {text}s");
        }

        if (!GoDuration.TryParse(text, out var interval))
        {
            return Finding.Error(path, $"\"{text}\" is not a duration such as 30s or 1m30s");
        }

        if (interval <= TimeSpan.Zero)
        {
            return Finding.Error(path, $"{text} must be positive");
        }

        if (interval < ShortInterval)
        {
            return Finding.Warn(path, $"{text} is very short: every poll fetches each job's targets; 30s is the default");
        }

        return interval > LongInterval
            ? Finding.Warn(path, $"{text} is long: the collector picks up target changes only this often")
            : Finding.Ok(path, text);
    }

    private static IEnumerable<Finding> CheckCollectorId(string? id, string path, Manifest? manifest)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            yield return Finding.Error(path, "is missing: the allocator assigns targets per collector id; write collector_id: ${env:POD_NAME}");
            yield break;
        }

        var env = EnvReference().Match(id);
        if (env.Success && env.Length == id.Length)
        {
            var variable = env.Groups["var"].Value;
            if (env.Groups["bare"].Success)
            {
                yield return Finding.Warn(path, $"{id}: current collectors do not expand a bare ${variable}; write ${{env:{variable}}}");
            }
            else if (variable == "POD_NAME")
            {
                yield return Finding.Ok(path, manifest is null
                    ? $"{id}: the pod's name, when POD_NAME is set from the downward API (fieldRef metadata.name)"
                    : $"{id}: the pod's name (the operator sets POD_NAME)");
            }
            else
            {
                yield return Finding.Warn(path, $"{id}: the allocator knows collectors by pod name; unless {variable} holds it, this collector gets no targets");
            }

            yield break;
        }

        if (id.Contains('$', StringComparison.Ordinal))
        {
            yield return Finding.Warn(path, $"{id} mixes text with a reference; the allocator must know the expanded value as a collector");
            yield break;
        }

        if (manifest is not null && (manifest.Replicas > 1 || manifest.Mode == "daemonset"))
        {
            yield return Finding.Error(path, $"{id} is a fixed id, but every replica uses it and polls as the same collector; write ${{env:POD_NAME}}");
        }
        else
        {
            yield return Finding.Warn(path, $"{id} is a fixed id: fine for one collector; replicas would all poll as the same collector");
        }
    }

    /// <summary>
    /// In a collector config, <c>$1</c> and <c>${1}</c> are taken by the collector's own expansion before Prometheus sees
    /// them; a literal dollar must be written <c>$$</c>.
    /// </summary>
    private static List<Finding> CheckEscaping(YamlNode? config, string path)
    {
        var escaped = 0;
        var findings = new List<Finding>();
        var jobs = config.Get("scrape_configs").Items();
        for (var j = 0; j < jobs.Count; j++)
        {
            foreach (var list in new[] { "relabel_configs", "metric_relabel_configs" })
            {
                var rules = jobs[j].Get(list).Items();
                for (var r = 0; r < rules.Count; r++)
                {
                    foreach (var field in new[] { "replacement", "target_label" })
                    {
                        var value = rules[r].Text(field);
                        if (value is null || !value.Contains('$', StringComparison.Ordinal))
                        {
                            continue;
                        }

                        var fixedValue = EscapeCaptureReferences(value, out var unescaped);
                        if (unescaped > 0)
                        {
                            findings.Add(Finding.Error(
                                $"{path}.scrape_configs[{j}].{list}[{r}].{field}",
                                $"\"{value}\" is expanded by the collector before Prometheus sees it; write \"{fixedValue}\" ($$ is a literal $)"));
                        }
                        else
                        {
                            escaped++;
                        }
                    }
                }
            }
        }

        if (escaped > 0)
        {
            findings.Add(Finding.Ok(path + ".scrape_configs", $"{escaped} relabel value(s) escape $ as $$"));
        }

        return findings;
    }

    /// <summary>Doubles the <c>$</c> of each unescaped <c>$N</c> or <c>${N}</c>; counts them in <paramref name="unescaped"/>.</summary>
    internal static string EscapeCaptureReferences(string value, out int unescaped)
    {
        unescaped = 0;
        var sb = new StringBuilder(value.Length + 4);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '$')
            {
                sb.Append(value[i]);
                continue;
            }

            if (i + 1 < value.Length && value[i + 1] == '$')
            {
                sb.Append("$$");
                i++;
                continue;
            }

            if (CaptureReference().Match(value, i + 1) is { Success: true } m && m.Index == i + 1)
            {
                unescaped++;
                sb.Append('$');
            }

            sb.Append('$');
        }

        return sb.ToString();
    }

    private static IEnumerable<Finding> CheckPipelines(string prefix, string name, List<string> usedBy, bool hasPipelines)
    {
        var path = prefix + "service.pipelines";
        if (!hasPipelines)
        {
            yield return Finding.Warn(path, $"is absent: the collector starts {name} only when a metrics pipeline lists it");
            yield break;
        }

        if (usedBy.Count == 0)
        {
            yield return Finding.Warn(path, $"no pipeline lists {name} under receivers: the collector does not start it");
            yield break;
        }

        foreach (var pipeline in usedBy.Where(p => p != "metrics" && !p.StartsWith("metrics/", StringComparison.Ordinal)))
        {
            yield return Finding.Error($"{path}.{pipeline}.receivers", $"lists {name}, but the Prometheus receiver produces only metrics");
        }

        var metrics = usedBy.Where(p => p == "metrics" || p.StartsWith("metrics/", StringComparison.Ordinal)).ToList();
        if (metrics.Count > 0)
        {
            yield return Finding.Ok(path, $"{name} is used by {string.Join(", ", metrics)}");
        }
    }

    private static IEnumerable<Finding> CheckTargetAllocatorManifest(YamlMappingNode root, string documentName)
    {
        var name = root.Get("metadata").Text("name") ?? "(unnamed)";
        var where = $"TargetAllocator {name}{documentName}";
        var spec = root.Get("spec");
        var strategy = spec.Text("allocationStrategy");
        yield return strategy is null or "consistent-hashing" or "least-weighted" or "per-node"
            ? Finding.Ok(where, $"allocationStrategy {strategy ?? "consistent-hashing (default)"}")
            : Finding.Error(where + " spec.allocationStrategy", $"{strategy} is not consistent-hashing, least-weighted or per-node");
        var filter = spec.Text("filterStrategy");
        if (filter is not null and not "relabel-config" and not "")
        {
            yield return Finding.Error(where + " spec.filterStrategy", $"{filter} is not relabel-config (or empty for no filtering)");
        }

        var crEnabled = spec.Get("prometheusCR").Text("enabled") == "true";
        var jobs = spec.Get("scrapeConfigs").Items().Count;
        yield return jobs == 0 && !crEnabled
            ? Finding.Warn(where, "has no scrapeConfigs and prometheusCR is not enabled: it serves no jobs")
            : Finding.Ok(where, $"{jobs} scrape config(s), prometheusCR {(crEnabled ? "enabled" : "disabled")}");
    }

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d+)?(/.*)?$")]
    private static partial Regex BareHost();

    [GeneratedRegex(@"^(\$\{(env:)?(?<var>[A-Za-z_][A-Za-z0-9_]*)\}|(?<bare>\$)(?<var>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex EnvReference();

    [GeneratedRegex(@"\G(\d|\{\d+\})")]
    private static partial Regex CaptureReference();

    /// <summary>What an <c>OpenTelemetryCollector</c> manifest says about its allocator.</summary>
    private sealed record Manifest(
        string Name, string ApiVersion, bool? Enabled, string? Mode, int? Replicas, string? Strategy, string? LinkedAllocator, bool LinkedInFile)
    {
        /// <summary>Whether the operator deploys an allocator for this collector.</summary>
        public bool Deploys => Enabled == true || LinkedAllocator is not null;

        public string? ExpectedHost => LinkedAllocator is { } linked ? linked + "-targetallocator"
            : Enabled == true ? Name + "-targetallocator" : null;

        public string ExpectedUrl => "http://" + (ExpectedHost ?? Name + "-targetallocator");
    }
}
