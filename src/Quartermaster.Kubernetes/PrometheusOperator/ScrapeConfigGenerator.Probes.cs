using System.Globalization;
using System.Net;
using System.Text.Json;
using static Quartermaster.Kubernetes.PrometheusOperator.GenerationContext;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>Probe and ScrapeConfig resource generation (<c>generateProbeConfig</c>, <c>generateScrapeConfig</c>).</summary>
public static partial class ScrapeConfigGenerator
{
    private static readonly string[] UnsupportedSdKeys =
    [
        "consulSDConfigs", "dnsSDConfigs", "ec2SDConfigs", "azureSDConfigs", "gceSDConfigs", "openstackSDConfigs",
        "digitalOceanSDConfigs", "kumaSDConfigs", "eurekaSDConfigs", "dockerSDConfigs", "linodeSDConfigs", "hetznerSDConfigs",
        "nomadSDConfigs", "dockerSwarmSDConfigs", "puppetDBSDConfigs", "lightSailSDConfigs", "ovhcloudSDConfigs",
        "scalewaySDConfigs", "ionosSDConfigs",
    ];

    private static (string, YamlBlock) Probe(GenerationContext c)
    {
        var spec = c.SpecRoot;
        const string sp = "spec";
        var name = $"probe/{c.Resource.Namespace}/{c.Resource.Name}";
        var prober = Spec.Object(spec, "prober", sp) ?? throw new ResourceInvalidException("spec.prober: required");
        var proberUrl = Spec.NonEmpty(prober, "url", "spec.prober");
        if (!IsHostPort(proberUrl))
        {
            throw new ResourceInvalidException($"spec.prober.url: {JsonSerializer.Serialize(proberUrl)} must be in host[:port] form, without a scheme or path");
        }

        var targets = Spec.Object(spec, "targets", sp);
        var staticConfig = targets is { } t ? Spec.Object(t, "staticConfig", "spec.targets") : null;
        var ingress = targets is { } t2 ? Spec.Object(t2, "ingress", "spec.targets") : null;
        if (staticConfig is null && ingress is null)
        {
            throw new ResourceInvalidException("spec.targets: at least one of staticConfig and ingress is required");
        }

        var job = new YamlBlock().Add("job_name", name).Add("honor_timestamps", true);
        var rules = InitRelabelings();
        if (Spec.String(spec, "jobName", sp) is { Length: > 0 } jobName)
        {
            rules.Add(Rule().Add("target_label", "job").Add("replacement", jobName));
        }

        if (staticConfig is { } st)
        {
            const string stp = "spec.targets.staticConfig";
            var labels = Spec.StringMap(st, "labels", stp);
            labels.TryAdd("namespace", c.Resource.Namespace);
            var labelBlock = new YamlBlock();
            foreach (var (k, v) in labels)
            {
                labelBlock.Add(Key(k), v);
            }

            job.Add("static_configs", new List<object>
            {
                new YamlBlock().Add("targets", Spec.Strings(st, "static", stp).Cast<object>().ToList()).Add("labels", labelBlock),
            });
            rules.Add(Copy("__address__", "__param_target"));
            rules.Add(Copy("__param_target", "instance"));
            rules.Add(Rule().Add("target_label", "__address__").Add("replacement", proberUrl));
            rules.AddRange(c.ClassRelabelings());
            rules.AddRange(Relabels(st, "relabelingConfigs", stp));
        }
        else if (ingress is { } ing)
        {
            const string ip = "spec.targets.ingress";
            var sd = new YamlBlock().Add("role", "ingress");
            if (c.Namespaces(ing, ip) is { } namespaces)
            {
                sd.Add("namespaces", new YamlBlock().Add("names", namespaces));
            }

            job.Add("kubernetes_sd_configs", new List<object> { sd });
            rules.AddRange(SelectorRules(Spec.Object(ing, "selector", ip), "ingress", ip + ".selector"));
            rules.Add(Rule().Add("source_labels", List("__meta_kubernetes_ingress_scheme", "__address__", "__meta_kubernetes_ingress_path"))
                .Add("separator", ";").Add("regex", "(.+);(.+);(.+)").Add("target_label", "__param_target").Add("replacement", "${1}://${2}${3}")
                .Add("action", "replace"));
            rules.Add(Copy("__meta_kubernetes_namespace", "namespace"));
            rules.Add(Copy("__meta_kubernetes_ingress_name", "ingress"));
            rules.Add(Rule().Add("source_labels", List("__address__")).Add("separator", ";").Add("regex", "(.*)")
                .Add("target_label", "__tmp_ingress_address").Add("replacement", "$1").Add("action", "replace"));
            rules.Add(Copy("__param_target", "instance"));
            rules.Add(Rule().Add("target_label", "__address__").Add("replacement", proberUrl));
            rules.AddRange(c.ClassRelabelings());
            rules.AddRange(Relabels(ing, "relabelingConfigs", ip));
        }

        job.Add("metrics_path", Spec.String(prober, "path", "spec.prober") is { Length: > 0 } path ? path : "/probe");
        AddString(job, "scrape_interval", Spec.String(spec, "interval", sp));
        AddString(job, "scrape_timeout", Spec.String(spec, "scrapeTimeout", sp));
        AddString(job, "scheme", Spec.String(prober, "scheme", "spec.prober")?.ToLowerInvariant());
        var parameters = new YamlBlock();
        var module = Spec.String(spec, "module", sp);
        if (!string.IsNullOrEmpty(module))
        {
            parameters.Add("module", new List<object> { module });
        }

        var probeParams = Spec.Array(spec, "params", sp);
        for (var i = 0; i < probeParams.Count; i++)
        {
            var pp = Spec.Index("spec.params", i);
            var paramName = Spec.NonEmpty(probeParams[i], "name", pp);
            if (paramName == "module" && !string.IsNullOrEmpty(module))
            {
                continue;
            }

            parameters.Add(Key(paramName), Spec.Strings(probeParams[i], "values", pp).Cast<object>().ToList());
        }

        if (parameters.Count > 0)
        {
            job.Add("params", parameters);
        }

        c.LimitsAndProtocols(job, spec, sp);
        c.Proxy(job, prober, "spec.prober");
        c.AppendSharding(rules, "__param_target");
        c.AddRelabelList(job, "relabel_configs", rules);
        if (c.MergeClassTls(GenerationContext.ReadTls(spec, "tlsConfig", sp)) is { } tls)
        {
            job.Add("tls_config", c.TlsYaml(tls));
        }

        c.BearerTokenSecret(job, spec, sp);
        c.BasicAuth(job, spec, sp);
        c.OAuth2(job, spec, sp);
        c.Authorization(job, spec, sp, useScrapeClass: true);
        var metricRules = c.ClassMetricRelabelings();
        metricRules.AddRange(Relabels(spec, "metricRelabelings", sp));
        c.AddRelabelList(job, "metric_relabel_configs", metricRules);
        return (name, job);
    }

    private static (string, YamlBlock) ScrapeConfigResource(GenerationContext c)
    {
        var spec = c.SpecRoot;
        const string sp = "spec";
        foreach (var key in UnsupportedSdKeys)
        {
            if (Spec.Array(spec, key, sp).Count > 0)
            {
                throw new ResourceInvalidException($"spec.{key}: unsupported service discovery; the allocator supports static, file, HTTP and Kubernetes discovery");
            }
        }

        var name = $"scrapeConfig/{c.Resource.Namespace}/{c.Resource.Name}";
        var job = new YamlBlock().Add("job_name", name);
        AddBool(job, "honor_timestamps", Spec.Bool(spec, "honorTimestamps", sp));
        AddBool(job, "track_timestamps_staleness", Spec.Bool(spec, "trackTimestampsStaleness", sp));
        AddBool(job, "honor_labels", Spec.Bool(spec, "honorLabels", sp));
        AddString(job, "metrics_path", Spec.String(spec, "metricsPath", sp));
        if (Params(spec, sp) is { } parameters)
        {
            job.Add("params", parameters);
        }

        AddBool(job, "enable_compression", Spec.Bool(spec, "enableCompression", sp));
        AddBool(job, "enable_http2", Spec.Bool(spec, "enableHTTP2", sp));
        AddString(job, "scrape_interval", Spec.String(spec, "scrapeInterval", sp));
        AddString(job, "scrape_timeout", Spec.String(spec, "scrapeTimeout", sp));
        AddString(job, "scheme", Spec.String(spec, "scheme", sp)?.ToLowerInvariant());
        c.Proxy(job, spec, sp);
        c.BasicAuth(job, spec, sp);
        c.Authorization(job, spec, sp, useScrapeClass: true);
        c.OAuth2(job, spec, sp);
        if (c.MergeClassTls(GenerationContext.ReadTls(spec, "tlsConfig", sp)) is { } tls)
        {
            job.Add("tls_config", c.TlsYaml(tls));
        }

        c.LimitsAndProtocols(job, spec, sp);

        var statics = Spec.Array(spec, "staticConfigs", sp);
        if (statics.Count > 0)
        {
            var list = new List<object>();
            for (var i = 0; i < statics.Count; i++)
            {
                var p = Spec.Index("spec.staticConfigs", i);
                var labels = new YamlBlock();
                foreach (var (k, v) in Spec.StringMap(statics[i], "labels", p))
                {
                    labels.Add(Key(k), v);
                }

                var group = new YamlBlock().Add("targets", Spec.Strings(statics[i], "targets", p).Cast<object>().ToList());
                if (labels.Count > 0)
                {
                    group.Add("labels", labels);
                }

                list.Add(group);
            }

            job.Add("static_configs", list);
        }

        var files = Spec.Array(spec, "fileSDConfigs", sp);
        if (files.Count > 0)
        {
            var list = new List<object>();
            for (var i = 0; i < files.Count; i++)
            {
                var p = Spec.Index("spec.fileSDConfigs", i);
                var f = new YamlBlock().Add("files", Spec.Strings(files[i], "files", p).Cast<object>().ToList());
                AddString(f, "refresh_interval", Spec.String(files[i], "refreshInterval", p));
                list.Add(f);
            }

            job.Add("file_sd_configs", list);
        }

        var https = Spec.Array(spec, "httpSDConfigs", sp);
        if (https.Count > 0)
        {
            var list = new List<object>();
            for (var i = 0; i < https.Count; i++)
            {
                var p = Spec.Index("spec.httpSDConfigs", i);
                var h = new YamlBlock().Add("url", Spec.NonEmpty(https[i], "url", p));
                AddString(h, "refresh_interval", Spec.String(https[i], "refreshInterval", p));
                SdHttpClient(c, h, https[i], p);
                list.Add(h);
            }

            job.Add("http_sd_configs", list);
        }

        var kubes = Spec.Array(spec, "kubernetesSDConfigs", sp);
        if (kubes.Count > 0)
        {
            var list = new List<object>();
            for (var i = 0; i < kubes.Count; i++)
            {
                list.Add(KubernetesSd(c, kubes[i], Spec.Index("spec.kubernetesSDConfigs", i)));
            }

            job.Add("kubernetes_sd_configs", list);
        }

        var rules = InitRelabelings();
        rules.AddRange(c.ClassRelabelings());
        if (Spec.String(spec, "jobName", sp) is { Length: > 0 } jobName)
        {
            rules.Add(Rule().Add("target_label", "job").Add("action", "replace").Add("replacement", jobName));
        }

        rules.AddRange(Relabels(spec, "relabelings", sp));
        c.AddRelabelList(job, "relabel_configs", rules);
        var metricRules = c.ClassMetricRelabelings();
        metricRules.AddRange(Relabels(spec, "metricRelabelings", sp));
        c.AddRelabelList(job, "metric_relabel_configs", metricRules);
        AddString(job, "metric_name_validation_scheme", Spec.String(spec, "nameValidationScheme", sp)?.ToLowerInvariant());
        AddString(job, "metric_name_escaping_scheme", Spec.String(spec, "nameEscapingScheme", sp)?.ToLowerInvariant());
        return (name, job);
    }

    private static YamlBlock KubernetesSd(GenerationContext c, JsonElement k, string p)
    {
        var role = Spec.NonEmpty(k, "role", p).ToLowerInvariant();
        if (role is not ("pod" or "service" or "endpoints" or "endpointslice" or "node" or "ingress"))
        {
            throw new ResourceInvalidException($"{p}.role: {JsonSerializer.Serialize(role)} is not a Kubernetes discovery role");
        }

        var y = new YamlBlock();
        AddString(y, "api_server", Spec.String(k, "apiServer", p));
        y.Add("role", role);
        SdHttpClient(c, y, k, p);
        if (Spec.Object(k, "namespaces", p) is { } ns)
        {
            var np = Spec.Join(p, "namespaces");
            var block = new YamlBlock();
            AddBool(block, "own_namespace", Spec.Bool(ns, "ownNamespace", np));
            var names = Spec.Strings(ns, "names", np);
            if (names.Count > 0)
            {
                block.Add("names", names.Cast<object>().ToList());
            }

            if (block.Count > 0)
            {
                y.Add("namespaces", block);
            }
        }

        var selectors = Spec.Array(k, "selectors", p);
        if (selectors.Count > 0)
        {
            var list = new List<object>();
            for (var i = 0; i < selectors.Count; i++)
            {
                var s = Spec.Index(Spec.Join(p, "selectors"), i);
                var sel = new YamlBlock().Add("role", Spec.NonEmpty(selectors[i], "role", s).ToLowerInvariant());
                AddString(sel, "label", Spec.String(selectors[i], "label", s));
                AddString(sel, "field", Spec.String(selectors[i], "field", s));
                list.Add(sel);
            }

            y.Add("selectors", list);
        }

        // attach_metadata applies to the pod, endpoints and endpointslice roles only; upstream ignores it elsewhere.
        if (Spec.Object(k, "attachMetadata", p) is { } am && role is "pod" or "endpoints" or "endpointslice"
            && Spec.Bool(am, "node", Spec.Join(p, "attachMetadata")) is { } node)
        {
            y.Add("attach_metadata", new YamlBlock().Add("node", node));
        }

        return y;
    }

    /// <summary>An SD block's own HTTP client settings (auth, TLS, proxy, redirects, HTTP/2).</summary>
    private static void SdHttpClient(GenerationContext c, YamlBlock y, JsonElement e, string p)
    {
        c.BasicAuth(y, e, p);
        c.Authorization(y, e, p, useScrapeClass: false);
        c.OAuth2(y, e, p);
        c.Proxy(y, e, p);
        AddBool(y, "follow_redirects", Spec.Bool(e, "followRedirects", p));
        AddBool(y, "enable_http2", Spec.Bool(e, "enableHTTP2", p));
        if (GenerationContext.ReadTls(e, "tlsConfig", p) is { } tls)
        {
            y.Add("tls_config", c.TlsYaml(tls));
        }
    }

    /// <summary>The operator's prober URL check: a host name or IP, optionally with <c>:port</c>.</summary>
    private static bool IsHostPort(string url)
    {
        if (url.Length == 0)
        {
            return false;
        }

        var host = url;
        string? port = null;
        if (url.StartsWith('['))
        {
            var close = url.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = url[1..close];
            var rest = url[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':'))
                {
                    return false;
                }

                port = rest[1..];
            }

            return IPAddress.TryParse(host, out _) && (port is null || IsPort(port));
        }

        var colon = url.LastIndexOf(':');
        if (colon >= 0)
        {
            host = url[..colon];
            port = url[(colon + 1)..];
        }

        return (IPAddress.TryParse(host, out _) || IsDnsName(host)) && (port is null || IsPort(port));
    }

    private static bool IsPort(string port) =>
        int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 65535;

    private static bool IsDnsName(string host)
    {
        if (host.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in host.TrimEnd('.').Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var ch in label)
            {
                if (!(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
