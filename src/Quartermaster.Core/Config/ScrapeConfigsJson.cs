using System.Buffers;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Config;

/// <summary>
/// The <c>/scrape_configs</c> body, byte-compatible with the upstream allocator: each job's config as Prometheus'
/// YAML marshaller writes it (same fields present), converted to JSON with keys sorted, compact and HTML-escaped.
/// </summary>
public static class ScrapeConfigsJson
{
    private const string Redacted = "<secret>";

    /// <summary>Serialises <c>{"&lt;job&gt;": {…}, …}</c> with no trailing newline; <c>{}</c> when empty.</summary>
    /// <param name="configs">Validated scrape configs.</param>
    /// <param name="revealSecrets">Write secret values verbatim instead of <c>&lt;secret&gt;</c>.</param>
    public static byte[] Serialize(IReadOnlyList<ScrapeConfig> configs, bool revealSecrets)
    {
        ArgumentNullException.ThrowIfNull(configs);
        return Assemble(configs.Select(sc => KeyValuePair.Create(sc.JobName, SerializeJob(sc, revealSecrets))));
    }

    /// <summary>One job's value in <see cref="Serialize"/>: its scrape config as JSON.</summary>
    public static byte[] SerializeJob(ScrapeConfig config, bool revealSecrets)
    {
        ArgumentNullException.ThrowIfNull(config);
        var buffer = new ArrayBufferWriter<byte>(1024);
        GoJson.Write(buffer, ToJson(config, revealSecrets));
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The <c>/scrape_configs</c> object from each job's <see cref="SerializeJob"/> bytes: keys in Go's order, a later
    /// job of the same name replacing an earlier one. Lets a caller serialize each job once for several uses.
    /// </summary>
    public static byte[] Assemble(IEnumerable<KeyValuePair<string, byte[]>> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var sorted = new SortedDictionary<string, byte[]>(GoJson.Utf8Order.Instance);
        var size = 2;
        foreach (var (name, json) in jobs)
        {
            sorted[name] = json;
            size += name.Length + json.Length + 4;
        }

        var buffer = new ArrayBufferWriter<byte>(size);
        Serving.GoJson.WriteRaw(buffer, "{"u8);
        var first = true;
        foreach (var (name, json) in sorted)
        {
            Serving.GoJson.WriteRaw(buffer, first ? ""u8 : ","u8);
            first = false;
            GoJson.WriteString(buffer, name);
            Serving.GoJson.WriteRaw(buffer, ":"u8);
            Serving.GoJson.WriteRaw(buffer, json);
        }

        Serving.GoJson.WriteRaw(buffer, "}"u8);
        return buffer.WrittenSpan.ToArray();
    }

    internal static SortedDictionary<string, object?> ToJson(ScrapeConfig sc, bool reveal)
    {
        var o = GoJson.NewObject();
        o["job_name"] = sc.JobName;
        if (sc.HonorLabels)
        {
            o["honor_labels"] = true;
        }

        o["honor_timestamps"] = sc.HonorTimestamps;
        o["track_timestamps_staleness"] = sc.TrackTimestampsStaleness;
        if (sc.Params.Count > 0)
        {
            var p = GoJson.NewObject();
            foreach (var (k, v) in sc.Params)
            {
                p[k] = Strings(v);
            }

            o["params"] = p;
        }

        Duration(o, "scrape_interval", sc.ScrapeInterval);
        Duration(o, "scrape_timeout", sc.ScrapeTimeout);
        if (sc.ScrapeProtocols is { Count: > 0 })
        {
            o["scrape_protocols"] = Strings(sc.ScrapeProtocols);
        }

        Str(o, "fallback_scrape_protocol", sc.FallbackScrapeProtocol);
        OptionalBool(o, "scrape_native_histograms", sc.ScrapeNativeHistograms);
        OptionalBool(o, "always_scrape_classic_histograms", sc.AlwaysScrapeClassicHistograms);
        OptionalBool(o, "convert_classic_histograms_to_nhcb", sc.ConvertClassicHistogramsToNhcb);
        Str(o, "scrape_failure_log_file", sc.ScrapeFailureLogFile);
        Str(o, "metrics_path", sc.MetricsPath);
        Str(o, "scheme", sc.Scheme);
        o["enable_compression"] = sc.EnableCompression;
        if (sc.BodySizeLimit != 0)
        {
            o["body_size_limit"] = ByteSize.Format(sc.BodySizeLimit);
        }

        Number(o, "sample_limit", sc.SampleLimit);
        Number(o, "target_limit", sc.TargetLimit);
        Number(o, "label_limit", sc.LabelLimit);
        Number(o, "label_name_length_limit", sc.LabelNameLengthLimit);
        Number(o, "label_value_length_limit", sc.LabelValueLengthLimit);
        Number(o, "native_histogram_bucket_limit", sc.NativeHistogramBucketLimit);
        if (sc.NativeHistogramMinBucketFactor != 0)
        {
            o["native_histogram_min_bucket_factor"] = sc.NativeHistogramMinBucketFactor;
        }

        Number(o, "keep_dropped_targets", sc.KeepDroppedTargets);
        Str(o, "metric_name_validation_scheme", sc.MetricNameValidationScheme);
        Str(o, "metric_name_escaping_scheme", sc.MetricNameEscapingScheme);
        OptionalBool(o, "extra_scrape_metrics", sc.ExtraScrapeMetrics);
        HttpClient(o, sc.HttpClient, reveal);
        if (sc.RelabelConfigs.Count > 0)
        {
            o["relabel_configs"] = Relabels(sc.RelabelConfigs);
        }

        if (sc.MetricRelabelConfigs.Count > 0)
        {
            o["metric_relabel_configs"] = Relabels(sc.MetricRelabelConfigs);
        }

        if (sc.FileSdConfigs.Count > 0)
        {
            o["file_sd_configs"] = sc.FileSdConfigs.Select(f =>
            {
                var j = GoJson.NewObject();
                j["files"] = Strings(f.Files);
                Duration(j, "refresh_interval", f.RefreshInterval);
                return (object?)j;
            }).ToList();
        }

        if (sc.HttpSdConfigs.Count > 0)
        {
            o["http_sd_configs"] = sc.HttpSdConfigs.Select(h =>
            {
                var j = GoJson.NewObject();
                HttpClient(j, h.HttpClient, reveal);
                Duration(j, "refresh_interval", h.RefreshInterval);
                j["url"] = h.Url;
                return (object?)j;
            }).ToList();
        }

        if (sc.KubernetesSdConfigs.Count > 0)
        {
            o["kubernetes_sd_configs"] = sc.KubernetesSdConfigs.Select(k => (object?)Kubernetes(k, reveal)).ToList();
        }

        if (sc.StaticConfigs.Count > 0)
        {
            o["static_configs"] = sc.StaticConfigs.Select(g =>
            {
                var j = GoJson.NewObject();
                j["targets"] = g.Targets.Select(t => (object?)Address(t)).ToList();
                if (g.Labels.Length > 0)
                {
                    var labels = GoJson.NewObject();
                    foreach (var label in g.Labels)
                    {
                        labels[label.Name] = label.Value;
                    }

                    j["labels"] = labels;
                }

                return (object?)j;
            }).ToList();
        }

        return o;
    }

    private static string Address(Labels.Label[] target)
    {
        foreach (var label in target)
        {
            if (label.Name == "__address__")
            {
                return label.Value;
            }
        }

        return "";
    }

    private static SortedDictionary<string, object?> Kubernetes(KubernetesSdConfig k, bool reveal)
    {
        var j = GoJson.NewObject();
        Str(j, "api_server", k.ApiServer);
        j["role"] = k.Role;
        j["kubeconfig_file"] = k.KubeconfigFile;
        HttpClient(j, k.HttpClient, reveal);
        if (k.OwnNamespace || k.NamespaceNames.Count > 0)
        {
            var ns = GoJson.NewObject();
            ns["own_namespace"] = k.OwnNamespace;
            ns["names"] = Strings(k.NamespaceNames);
            j["namespaces"] = ns;
        }

        if (k.Selectors.Count > 0)
        {
            j["selectors"] = k.Selectors.Select(s =>
            {
                var so = GoJson.NewObject();
                Str(so, "role", s.Role);
                Str(so, "label", s.Label);
                Str(so, "field", s.Field);
                return (object?)so;
            }).ToList();
        }

        if (k.AttachMetadataNode || k.AttachMetadataNamespace || k.AttachMetadataDeployment || k.AttachMetadataJob || k.AttachMetadataCronJob)
        {
            var am = GoJson.NewObject();
            am["node"] = k.AttachMetadataNode;
            am["namespace"] = k.AttachMetadataNamespace;
            am["deployment"] = k.AttachMetadataDeployment;
            am["job"] = k.AttachMetadataJob;
            am["cronjob"] = k.AttachMetadataCronJob;
            j["attach_metadata"] = am;
        }

        return j;
    }

    private static List<object?> Relabels(IReadOnlyList<RelabelConfig> rules)
    {
        var list = new List<object?>(rules.Count);
        foreach (var rc in rules)
        {
            var j = GoJson.NewObject();
            if (rc.SourceLabels.Count > 0)
            {
                j["source_labels"] = Strings(rc.SourceLabels);
            }

            j["separator"] = rc.Separator;

            // Omitted when the key was omitted (Prometheus' default regex); upstream also deletes it for
            // keepequal/dropequal, because the receiver would re-add the default and then reject the rule.
            if (rc.Regex is not null && rc.Action is not (RelabelAction.KeepEqual or RelabelAction.DropEqual))
            {
                j["regex"] = rc.Regex;
            }

            Number(j, "modulus", rc.Modulus);
            Str(j, "target_label", rc.TargetLabel);
            j["replacement"] = rc.Replacement;
            j["action"] = RelabelConfig.ActionName(rc.Action);
            list.Add(j);
        }

        return list;
    }

    private static void HttpClient(SortedDictionary<string, object?> o, HttpClientConfig c, bool reveal)
    {
        if (c.BasicAuth is { } ba)
        {
            var j = GoJson.NewObject();
            Str(j, "username", ba.Username);
            Str(j, "username_file", ba.UsernameFile);
            Str(j, "username_ref", ba.UsernameRef);
            Secret(j, "password", ba.Password, reveal);
            Str(j, "password_file", ba.PasswordFile);
            Str(j, "password_ref", ba.PasswordRef);
            o["basic_auth"] = j;
        }

        if (c.Authorization is { } au)
        {
            var j = GoJson.NewObject();
            Str(j, "type", au.Type);
            Secret(j, "credentials", au.Credentials, reveal);
            Str(j, "credentials_file", au.CredentialsFile);
            Str(j, "credentials_ref", au.CredentialsRef);
            o["authorization"] = j;
        }

        if (c.OAuth2 is { } oa)
        {
            var j = GoJson.NewObject();
            j["client_id"] = oa.ClientId;
            j["client_secret"] = oa.ClientSecret.Length == 0 ? null : reveal ? oa.ClientSecret : Redacted;
            j["client_secret_file"] = oa.ClientSecretFile;
            j["client_secret_ref"] = oa.ClientSecretRef;
            if (oa.Scopes.Count > 0)
            {
                j["scopes"] = Strings(oa.Scopes);
            }

            j["token_url"] = oa.TokenUrl;
            if (oa.EndpointParams is { Count: > 0 })
            {
                var ep = GoJson.NewObject();
                foreach (var (k, v) in oa.EndpointParams)
                {
                    ep[k] = v;
                }

                j["endpoint_params"] = ep;
            }

            Tls(j, oa.TlsConfig, reveal);
            Proxy(j, oa.ProxyUrl, oa.NoProxy, oa.ProxyFromEnvironment, oa.ProxyConnectHeader, reveal);
            o["oauth2"] = j;
        }

        Secret(o, "bearer_token", c.BearerToken, reveal);
        Str(o, "bearer_token_file", c.BearerTokenFile);
        Tls(o, c.TlsConfig, reveal);
        o["follow_redirects"] = c.FollowRedirects;
        o["enable_http2"] = c.EnableHttp2;
        Proxy(o, c.ProxyUrl, c.NoProxy, c.ProxyFromEnvironment, c.ProxyConnectHeader, reveal);
        if (c.HttpHeaders is { Count: > 0 })
        {
            var headers = GoJson.NewObject();
            foreach (var (name, h) in c.HttpHeaders)
            {
                var j = GoJson.NewObject();
                if (h.Values.Count > 0)
                {
                    j["values"] = Strings(h.Values);
                }

                if (h.Secrets.Count > 0)
                {
                    j["secrets"] = h.Secrets.Select(s => s.Length == 0 ? null : (object?)(reveal ? s : Redacted)).ToList();
                }

                if (h.Files.Count > 0)
                {
                    j["files"] = Strings(h.Files);
                }

                headers[name] = j;
            }

            o["http_headers"] = headers;
        }
    }

    private static void Proxy(
        SortedDictionary<string, object?> o,
        string? proxyUrl,
        string noProxy,
        bool fromEnvironment,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? connectHeader,
        bool reveal)
    {
        Str(o, "proxy_url", proxyUrl);
        Str(o, "no_proxy", noProxy);
        if (fromEnvironment)
        {
            o["proxy_from_environment"] = true;
        }

        if (connectHeader is { Count: > 0 })
        {
            var j = GoJson.NewObject();
            foreach (var (name, values) in connectHeader)
            {
                j[name] = values.Select(s => s.Length == 0 ? null : (object?)(reveal ? s : Redacted)).ToList();
            }

            o["proxy_connect_header"] = j;
        }
    }

    private static void Tls(SortedDictionary<string, object?> o, TlsConfig t, bool reveal)
    {
        if (HttpClientConfigParser.IsZero(t))
        {
            return;
        }

        var j = GoJson.NewObject();
        Str(j, "ca", t.Ca);
        Str(j, "cert", t.Cert);
        Secret(j, "key", t.Key, reveal);
        Str(j, "ca_file", t.CaFile);
        Str(j, "cert_file", t.CertFile);
        Str(j, "key_file", t.KeyFile);
        Str(j, "ca_ref", t.CaRef);
        Str(j, "cert_ref", t.CertRef);
        Str(j, "key_ref", t.KeyRef);
        Str(j, "server_name", t.ServerName);
        j["insecure_skip_verify"] = t.InsecureSkipVerify;
        Str(j, "min_version", t.MinVersion);
        Str(j, "max_version", t.MaxVersion);
        o["tls_config"] = j;
    }

    private static List<object?> Strings(IEnumerable<string> values) => values.Select(v => (object?)v).ToList();

    private static void Str(SortedDictionary<string, object?> o, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            o[key] = value;
        }
    }

    private static void Secret(SortedDictionary<string, object?> o, string key, string value, bool reveal)
    {
        if (value.Length > 0)
        {
            o[key] = reveal ? value : Redacted;
        }
    }

    private static void Duration(SortedDictionary<string, object?> o, string key, PromDuration value)
    {
        if (value != PromDuration.Zero)
        {
            o[key] = value.ToString();
        }
    }

    private static void OptionalBool(SortedDictionary<string, object?> o, string key, bool? value)
    {
        if (value is { } b)
        {
            o[key] = b;
        }
    }

    private static void Number(SortedDictionary<string, object?> o, string key, ulong value)
    {
        if (value != 0)
        {
            // Upstream re-decodes the body into map[string]any, so every number passes through float64.
            o[key] = (double)value;
        }
    }
}
