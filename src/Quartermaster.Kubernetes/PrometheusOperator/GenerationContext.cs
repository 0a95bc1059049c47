using System.Text;
using System.Text.Json;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>
/// The building blocks prometheus-operator's generator shares between resource kinds, for one resource: secret and
/// ConfigMap inlining, TLS and auth blocks, relabel rules and their validation, selector rules, limits, sharding.
/// Every problem throws <see cref="ResourceInvalidException"/>, which rejects this resource alone.
/// </summary>
internal sealed class GenerationContext
{
    private readonly IAssetStore _assets;

    public GenerationContext(MonitoringResource resource, GeneratorSettings settings, IAssetStore assets)
    {
        Resource = resource;
        Settings = settings;
        _assets = assets;
        ScrapeClass = ResolveScrapeClass();
    }

    public MonitoringResource Resource { get; }

    public GeneratorSettings Settings { get; }

    /// <summary>The named scrape class, else the default one, else none.</summary>
    public ScrapeClass? ScrapeClass { get; }

    public List<AssetReference> Used { get; } = [];

    public JsonElement SpecRoot => Resource.Spec;

    public static YamlBlock Rule() => new();

    public static List<object> List(params string[] items) => [.. items];

    /// <summary>prometheus-operator's <c>sanitizeLabelName</c>: every character outside <c>[a-zA-Z0-9_]</c> becomes <c>_</c>.</summary>
    public static string Sanitize(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            sb.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' ? c : '_');
        }

        return sb.ToString();
    }

    /// <summary><c>initRelabelings</c>: keep the pre-relabel job name in <c>__tmp_prometheus_job_name</c>.</summary>
    public static List<object> InitRelabelings() =>
        [Rule().Add("source_labels", List("job")).Add("target_label", "__tmp_prometheus_job_name")];

    public static YamlBlock RunningFilter() =>
        Rule().Add("action", "drop").Add("source_labels", List("__meta_kubernetes_pod_phase")).Add("regex", "(Failed|Succeeded)");

    private ScrapeClass? ResolveScrapeClass()
    {
        var name = Spec.String(SpecRoot, "scrapeClass", "spec");
        if (!string.IsNullOrEmpty(name))
        {
            foreach (var c in Settings.ScrapeClasses)
            {
                if (c.Name == name)
                {
                    return c;
                }
            }

            throw new ResourceInvalidException($"spec.scrapeClass: scrapeClass {JsonSerializer.Serialize(name)} not found in Prometheus scrapeClasses");
        }

        foreach (var c in Settings.ScrapeClasses)
        {
            if (c.Default)
            {
                return c;
            }
        }

        return null;
    }

    // ---- Secrets and ConfigMaps ----

    /// <summary>The value of a <c>SecretKeySelector</c>; null when the selector is absent (or optional and missing).</summary>
    public string? Secret(JsonElement? selector, string path) => KeySelector(AssetKind.Secret, selector, path);

    /// <summary>The value of a <c>SecretOrConfigMap</c> (<c>{secret: …}</c> or <c>{configMap: …}</c>); null when neither is set.</summary>
    public string? SecretOrConfigMap(JsonElement? value, string path)
    {
        if (value is not { } v)
        {
            return null;
        }

        var secret = Spec.Object(v, "secret", path);
        var configMap = Spec.Object(v, "configMap", path);
        if (secret is not null && configMap is not null)
        {
            throw new ResourceInvalidException($"{path}: cannot specify both secret and configMap");
        }

        return secret is not null
            ? KeySelector(AssetKind.Secret, secret, Spec.Join(path, "secret"))
            : KeySelector(AssetKind.ConfigMap, configMap, Spec.Join(path, "configMap"));
    }

    private string? KeySelector(AssetKind kind, JsonElement? selector, string path)
    {
        if (selector is not { } s)
        {
            return null;
        }

        if (s.ValueKind != JsonValueKind.Object)
        {
            throw Spec.Invalid(path, "an object", s);
        }

        var name = Spec.NonEmpty(s, "name", path);
        var key = Spec.NonEmpty(s, "key", path);
        var optional = Spec.Bool(s, "optional", path) ?? false;
        var what = kind == AssetKind.Secret ? "secret" : "configmap";
        if (name.Length == 0)
        {
            throw new ResourceInvalidException($"{path}: {what} name is empty");
        }

        if (key.Length == 0)
        {
            throw new ResourceInvalidException($"{path}: {what} {Resource.Namespace}/{name}: key is empty");
        }

        var reference = new AssetReference(kind, Resource.Namespace, name, key);
        if (_assets.TryGet(reference, out var value, out var error))
        {
            if (!Used.Contains(reference))
            {
                Used.Add(reference);
            }

            return value;
        }

        return optional ? null : throw new ResourceInvalidException($"{path}: {what} {Resource.Namespace}/{name} key {JsonSerializer.Serialize(key)}: {error}");
    }

    // ---- TLS ----

    /// <summary>A <c>tlsConfig</c> (<c>TLSConfig</c> or <c>SafeTLSConfig</c>) as read, before secrets are resolved.</summary>
    internal sealed record TlsSpec(
        string Path,
        JsonElement? Ca,
        JsonElement? Cert,
        JsonElement? KeySecret,
        string? CaFile,
        string? CertFile,
        string? KeyFile,
        string? ServerName,
        bool? InsecureSkipVerify,
        string? MinVersion,
        string? MaxVersion);

    public static TlsSpec? ReadTls(JsonElement parent, string name, string parentPath)
    {
        var path = Spec.Join(parentPath, name);
        return Spec.Object(parent, name, parentPath) is { } t ? ReadTls(t, path) : null;
    }

    public static TlsSpec ReadTls(JsonElement t, string path) => new(
        path,
        Spec.Object(t, "ca", path),
        Spec.Object(t, "cert", path),
        Spec.Object(t, "keySecret", path),
        Spec.String(t, "caFile", path),
        Spec.String(t, "certFile", path),
        Spec.String(t, "keyFile", path),
        Spec.String(t, "serverName", path),
        Spec.Bool(t, "insecureSkipVerify", path),
        Spec.String(t, "minVersion", path),
        Spec.String(t, "maxVersion", path));

    /// <summary>
    /// The scrape class's TLS settings merged in: used whole when the resource has none; otherwise only the CA,
    /// certificate and key files the resource leaves unset (neither file nor Secret/ConfigMap) are taken from it.
    /// </summary>
    public TlsSpec? MergeClassTls(TlsSpec? own)
    {
        var cls = ScrapeClass?.TlsConfig is { } c ? ReadTls(c, $"scrapeClass {JsonSerializer.Serialize(ScrapeClass!.Name)}.tlsConfig") : null;
        if (cls is null || own is null)
        {
            return own ?? cls;
        }

        return own with
        {
            CaFile = string.IsNullOrEmpty(own.CaFile) && own.Ca is null ? cls.CaFile : own.CaFile,
            CertFile = string.IsNullOrEmpty(own.CertFile) && own.Cert is null ? cls.CertFile : own.CertFile,
            KeyFile = string.IsNullOrEmpty(own.KeyFile) && own.KeySecret is null ? cls.KeyFile : own.KeyFile,
        };
    }

    /// <summary>The <c>tls_config</c> block with Secret and ConfigMap material inlined as <c>ca</c>, <c>cert</c>, <c>key</c>.</summary>
    public YamlBlock TlsYaml(TlsSpec t)
    {
        var y = new YamlBlock();
        if (t.InsecureSkipVerify is { } insecure)
        {
            y.Add("insecure_skip_verify", insecure);
        }

        if (SecretOrConfigMap(t.Ca, Spec.Join(t.Path, "ca")) is { } ca)
        {
            y.Add("ca", ca);
        }
        else if (!string.IsNullOrEmpty(t.CaFile))
        {
            y.Add("ca_file", t.CaFile);
        }

        if (SecretOrConfigMap(t.Cert, Spec.Join(t.Path, "cert")) is { } cert)
        {
            y.Add("cert", cert);
        }
        else if (!string.IsNullOrEmpty(t.CertFile))
        {
            y.Add("cert_file", t.CertFile);
        }

        if (Secret(t.KeySecret, Spec.Join(t.Path, "keySecret")) is { } key)
        {
            y.Add("key", key);
        }
        else if (!string.IsNullOrEmpty(t.KeyFile))
        {
            y.Add("key_file", t.KeyFile);
        }

        AddString(y, "server_name", t.ServerName);
        AddString(y, "min_version", t.MinVersion);
        AddString(y, "max_version", t.MaxVersion);
        return y;
    }

    // ---- Auth ----

    public void BasicAuth(YamlBlock job, JsonElement parent, string parentPath)
    {
        if (Spec.Object(parent, "basicAuth", parentPath) is not { } b)
        {
            return;
        }

        var path = Spec.Join(parentPath, "basicAuth");
        var y = new YamlBlock();
        AddString(y, "username", Secret(Spec.Object(b, "username", path), Spec.Join(path, "username")));
        AddString(y, "password", Secret(Spec.Object(b, "password", path), Spec.Join(path, "password")));
        job.Add("basic_auth", y);
    }

    public void BearerTokenSecret(YamlBlock job, JsonElement parent, string parentPath)
    {
        if (Spec.Object(parent, "bearerTokenSecret", parentPath) is { } s && Spec.NonEmpty(s, "name", parentPath).Length > 0
            && Secret(s, Spec.Join(parentPath, "bearerTokenSecret")) is { } token)
        {
            job.Add("bearer_token", token);
        }
    }

    /// <summary><c>authorization</c>, taking the scrape class's when the resource has none or gives no credentials.</summary>
    public void Authorization(YamlBlock job, JsonElement parent, string parentPath, bool useScrapeClass)
    {
        var path = Spec.Join(parentPath, "authorization");
        var own = Spec.Object(parent, "authorization", parentPath);
        var cls = useScrapeClass ? ScrapeClass?.Authorization : null;
        var clsPath = $"scrapeClass {JsonSerializer.Serialize(ScrapeClass?.Name ?? "")}.authorization";
        if (own is null && cls is null)
        {
            return;
        }

        var source = own ?? cls!.Value;
        var sourcePath = own is null ? clsPath : path;
        var type = (Spec.String(source, "type", sourcePath) ?? "").Trim();
        var credentials = Spec.Object(source, "credentials", sourcePath);
        var credentialsFile = Spec.String(source, "credentialsFile", sourcePath);
        if (own is not null && cls is { } c && credentials is null && string.IsNullOrEmpty(credentialsFile))
        {
            credentials = Spec.Object(c, "credentials", clsPath);
            credentialsFile = Spec.String(c, "credentialsFile", clsPath);
            sourcePath = clsPath;
        }

        var y = new YamlBlock().Add("type", type.Length == 0 ? "Bearer" : type);
        if (Secret(credentials, Spec.Join(sourcePath, "credentials")) is { } value)
        {
            y.Add("credentials", value);
        }
        else if (!string.IsNullOrEmpty(credentialsFile))
        {
            y.Add("credentials_file", credentialsFile);
        }

        job.Add("authorization", y);
    }

    public void OAuth2(YamlBlock job, JsonElement parent, string parentPath)
    {
        if (Spec.Object(parent, "oauth2", parentPath) is not { } o)
        {
            return;
        }

        var path = Spec.Join(parentPath, "oauth2");
        var y = new YamlBlock();
        y.Add("client_id", SecretOrConfigMap(Spec.Object(o, "clientId", path), Spec.Join(path, "clientId")) ?? "");
        y.Add("client_secret", Secret(Spec.Object(o, "clientSecret", path), Spec.Join(path, "clientSecret")) ?? "");
        y.Add("token_url", Spec.NonEmpty(o, "tokenUrl", path));
        var scopes = Spec.Strings(o, "scopes", path);
        if (scopes.Count > 0)
        {
            y.Add("scopes", scopes.Cast<object>().ToList());
        }

        var endpointParams = Spec.StringMap(o, "endpointParams", path);
        if (endpointParams.Count > 0)
        {
            var ep = new YamlBlock();
            foreach (var (k, v) in endpointParams)
            {
                ep.Add(Key(k), v);
            }

            y.Add("endpoint_params", ep);
        }

        Proxy(y, o, path);
        if (ReadTls(o, "tlsConfig", path) is { } tls)
        {
            y.Add("tls_config", TlsYaml(tls));
        }

        job.Add("oauth2", y);
    }

    /// <summary>The inline proxy settings: <c>proxyUrl</c>, <c>noProxy</c>, <c>proxyFromEnvironment</c>, <c>proxyConnectHeader</c>.</summary>
    public void Proxy(YamlBlock y, JsonElement parent, string parentPath)
    {
        AddString(y, "proxy_url", Spec.String(parent, "proxyUrl", parentPath));
        AddString(y, "no_proxy", Spec.String(parent, "noProxy", parentPath));
        if (Spec.Bool(parent, "proxyFromEnvironment", parentPath) is { } fromEnv)
        {
            y.Add("proxy_from_environment", fromEnv);
        }

        if (Spec.Object(parent, "proxyConnectHeader", parentPath) is { } headers)
        {
            var path = Spec.Join(parentPath, "proxyConnectHeader");
            var h = new YamlBlock();
            foreach (var p in headers.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                var values = new List<object>();
                var selectors = Spec.Array(headers, p.Name, path);
                for (var i = 0; i < selectors.Count; i++)
                {
                    values.Add(Secret(selectors[i], Spec.Index(Spec.Join(path, p.Name), i)) ?? "");
                }

                h.Add(Key(p.Name), values);
            }

            if (h.Count > 0)
            {
                y.Add("proxy_connect_header", h);
            }
        }
    }

    // ---- Relabeling ----

    /// <summary>A user relabel rule (<c>RelabelConfig</c>) as prometheus-operator writes it, after Prometheus' own validation.</summary>
    public static YamlBlock Relabel(JsonElement rule, string path)
    {
        if (rule.ValueKind != JsonValueKind.Object)
        {
            throw Spec.Invalid(path, "an object", rule);
        }

        var y = new YamlBlock();
        var sourceLabels = Spec.Strings(rule, "sourceLabels", path);
        var separator = Spec.String(rule, "separator", path);
        var targetLabel = Spec.NonEmpty(rule, "targetLabel", path);
        var regex = Spec.NonEmpty(rule, "regex", path);
        var modulus = Spec.Integer(rule, "modulus", path) ?? 0;
        var replacement = Spec.String(rule, "replacement", path);
        var actionText = Spec.NonEmpty(rule, "action", path).ToLowerInvariant();
        var action = RelabelAction.Replace;
        if (actionText.Length > 0 && !TryParseAction(actionText, out action))
        {
            throw new ResourceInvalidException($"{path}.action: unknown relabel action {JsonSerializer.Serialize(actionText)}");
        }

        var model = new RelabelConfig
        {
            SourceLabels = sourceLabels,
            Separator = separator ?? ";",
            Regex = regex.Length == 0 ? null : regex,
            Modulus = (ulong)modulus,
            TargetLabel = targetLabel,
            Replacement = replacement ?? "$1",
            Action = action,
        };
        try
        {
            Relabeler.Compile([model]);
        }
        catch (RelabelConfigException ex)
        {
            throw new ResourceInvalidException($"{path}: {ex.Reason}");
        }

        if (sourceLabels.Count > 0)
        {
            y.Add("source_labels", sourceLabels.Cast<object>().ToList());
        }

        AddNullable(y, "separator", separator);
        AddString(y, "target_label", targetLabel);
        AddString(y, "regex", regex);
        if (modulus != 0)
        {
            y.Add("modulus", modulus);
        }

        AddNullable(y, "replacement", replacement);
        AddString(y, "action", actionText);
        return y;
    }

    public static List<object> Relabels(JsonElement parent, string name, string parentPath)
    {
        var path = Spec.Join(parentPath, name);
        var rules = Spec.Array(parent, name, parentPath);
        var result = new List<object>(rules.Count);
        for (var i = 0; i < rules.Count; i++)
        {
            result.Add(Relabel(rules[i], Spec.Index(path, i)));
        }

        return result;
    }

    public List<object> ClassRelabelings() => ClassRules(ScrapeClass?.Relabelings, "relabelings");

    public List<object> ClassMetricRelabelings() => ClassRules(ScrapeClass?.MetricRelabelings, "metricRelabelings");

    private List<object> ClassRules(JsonElement? rules, string name)
    {
        var result = new List<object>();
        if (rules is not { } list)
        {
            return result;
        }

        var path = $"scrapeClass {JsonSerializer.Serialize(ScrapeClass!.Name)}.{name}";
        var i = 0;
        foreach (var rule in list.EnumerateArray())
        {
            result.Add(Relabel(rule, Spec.Index(path, i++)));
        }

        return result;
    }

    private static bool TryParseAction(string text, out RelabelAction action)
    {
        foreach (var candidate in Enum.GetValues<RelabelAction>())
        {
            if (RelabelConfig.ActionName(candidate) == text)
            {
                action = candidate;
                return true;
            }
        }

        action = RelabelAction.Replace;
        return false;
    }

    /// <summary>
    /// The sharding tail on <paramref name="label"/>: the v0.83+ three rules, or under <see cref="OperatorGeneration.V078"/>
    /// the two rules operators v0.61–v0.78 wrote. With one shard it keeps every target once <c>$(SHARD)</c> is 0.
    /// </summary>
    public void AppendSharding(List<object> rules, string label)
    {
        if (Settings.OperatorGeneration == OperatorGeneration.V078)
        {
            rules.Add(Rule().Add("source_labels", List(label)).Add("target_label", "__tmp_hash").Add("modulus", 1).Add("action", "hashmod"));
            rules.Add(Rule().Add("source_labels", List("__tmp_hash")).Add("regex", "$(SHARD)").Add("action", "keep"));
            return;
        }

        rules.Add(Rule().Add("source_labels", List(label, "__tmp_hash")).Add("target_label", "__tmp_hash").Add("regex", "(.+);")
            .Add("replacement", "$1").Add("action", "replace"));
        rules.Add(Rule().Add("source_labels", List("__tmp_hash")).Add("target_label", "__tmp_hash").Add("modulus", 1).Add("action", "hashmod"));
        rules.Add(Rule().Add("source_labels", List("__tmp_hash", "__tmp_disable_sharding")).Add("regex", "$(SHARD);|.+;.+").Add("action", "keep"));
    }

    /// <summary>
    /// Adds a relabel list to the job. Under <see cref="OperatorGeneration.V078"/> every omitted regex is written as
    /// the default <c>(.*)</c>, as allocators of that era served it (Prometheus up to 2.53 printed the default).
    /// </summary>
    public void AddRelabelList(YamlBlock job, string key, List<object> rules)
    {
        if (rules.Count == 0)
        {
            return;
        }

        if (Settings.OperatorGeneration == OperatorGeneration.V078)
        {
            foreach (YamlBlock rule in rules)
            {
                var action = rule.Get("action") as string;
                if (!rule.ContainsKey("regex") && action is not ("keepequal" or "dropequal"))
                {
                    rule.Add("regex", RelabelConfig.DefaultRegex);
                }
            }
        }

        job.Add(key, rules);
    }

    // ---- Selectors and namespaces ----

    /// <summary>The "relabel" selector mechanism's keep/drop rules on <c>__meta_kubernetes_&lt;role&gt;_label_*</c>.</summary>
    public static List<object> SelectorRules(JsonElement? selector, string role, string path)
    {
        var rules = new List<object>();
        if (selector is not { } sel)
        {
            return rules;
        }

        var label = $"__meta_kubernetes_{role}_label_";
        var present = $"__meta_kubernetes_{role}_labelpresent_";
        foreach (var (k, v) in Spec.StringMap(sel, "matchLabels", path))
        {
            var s = Sanitize(k);
            rules.Add(Rule().Add("action", "keep").Add("source_labels", List(label + s, present + s)).Add("regex", $"({v});true"));
        }

        foreach (var (key, op, values) in Requirements(sel, path))
        {
            var s = Sanitize(key);
            switch (op)
            {
                case "In":
                case "NotIn":
                    rules.Add(Rule().Add("action", op == "In" ? "keep" : "drop").Add("source_labels", List(label + s, present + s))
                        .Add("regex", $"({string.Join('|', values)});true"));
                    break;
                case "Exists":
                case "DoesNotExist":
                    rules.Add(Rule().Add("action", op == "Exists" ? "keep" : "drop").Add("source_labels", List(present + s)).Add("regex", "true"));
                    break;
            }
        }

        return rules;
    }

    /// <summary>Kubernetes <c>LabelSelector</c> in its <c>String()</c> form (requirements sorted by key), for role selectors.</summary>
    public static string SelectorString(JsonElement? selector, string path)
    {
        if (selector is not { } sel)
        {
            return "";
        }

        var parts = new List<(string Key, string Text)>();
        foreach (var (k, v) in Spec.StringMap(sel, "matchLabels", path))
        {
            parts.Add((k, $"{k}={v}"));
        }

        foreach (var (key, op, values) in Requirements(sel, path))
        {
            var sorted = values.Order(StringComparer.Ordinal).ToList();
            parts.Add((key, op switch
            {
                "In" => $"{key} in ({string.Join(',', sorted)})",
                "NotIn" => $"{key} notin ({string.Join(',', sorted)})",
                "Exists" => key,
                _ => "!" + key,
            }));
        }

        return string.Join(',', parts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Text));
    }

    private static List<(string Key, string Operator, IReadOnlyList<string> Values)> Requirements(JsonElement sel, string path)
    {
        var result = new List<(string, string, IReadOnlyList<string>)>();
        var exprPath = Spec.Join(path, "matchExpressions");
        var items = Spec.Array(sel, "matchExpressions", path);
        for (var i = 0; i < items.Count; i++)
        {
            var p = Spec.Index(exprPath, i);
            var key = Spec.NonEmpty(items[i], "key", p);
            var op = Spec.NonEmpty(items[i], "operator", p);
            var values = Spec.Strings(items[i], "values", p);
            switch (op)
            {
                case "In" or "NotIn" when values.Count == 0:
                    throw new ResourceInvalidException($"{p}.values: must be non-empty for operator {op}");
                case "Exists" or "DoesNotExist" when values.Count > 0:
                    throw new ResourceInvalidException($"{p}.values: must be empty for operator {op}");
                case "In" or "NotIn" or "Exists" or "DoesNotExist":
                    break;
                default:
                    throw new ResourceInvalidException($"{p}.operator: {JsonSerializer.Serialize(op)} is not a valid label selector operator");
            }

            if (key.Length == 0)
            {
                throw new ResourceInvalidException($"{p}.key: must not be empty");
            }

            result.Add((key, op, values));
        }

        return result;
    }

    /// <summary><c>getNamespacesFromNamespaceSelector</c>: null for all namespaces, else the names to watch.</summary>
    public List<object>? Namespaces(JsonElement parent, string parentPath)
    {
        var sel = Spec.Object(parent, "namespaceSelector", parentPath);
        var path = Spec.Join(parentPath, "namespaceSelector");
        if (sel is { } s && Spec.Bool(s, "any", path) == true)
        {
            return null;
        }

        var names = sel is { } n ? Spec.Strings(n, "matchNames", path) : [];
        return names.Count == 0 ? [Resource.Namespace] : names.Cast<object>().ToList();
    }

    // ---- Scrape fields ----

    /// <summary>Limits, histogram settings, protocols and body size from a monitor's spec, each only when set.</summary>
    public void LimitsAndProtocols(YamlBlock job, JsonElement spec, string path)
    {
        AddInteger(job, "sample_limit", Spec.Integer(spec, "sampleLimit", path));
        AddInteger(job, "target_limit", Spec.Integer(spec, "targetLimit", path));
        AddInteger(job, "label_limit", Spec.Integer(spec, "labelLimit", path));
        AddInteger(job, "label_name_length_limit", Spec.Integer(spec, "labelNameLengthLimit", path));
        AddInteger(job, "label_value_length_limit", Spec.Integer(spec, "labelValueLengthLimit", path));
        AddInteger(job, "native_histogram_bucket_limit", Spec.Integer(spec, "nativeHistogramBucketLimit", path));
        if (Spec.Number(spec, "nativeHistogramMinBucketFactor", path) is { } factor)
        {
            job.Add("native_histogram_min_bucket_factor", factor);
        }

        AddInteger(job, "keep_dropped_targets", Spec.Integer(spec, "keepDroppedTargets", path));
        if (Spec.Bool(spec, "scrapeNativeHistograms", path) is { } native)
        {
            job.Add("scrape_native_histograms", native);
        }

        if (Spec.Bool(spec, "scrapeClassicHistograms", path) is { } classic)
        {
            job.Add("always_scrape_classic_histograms", classic);
        }

        var protocols = Spec.Strings(spec, "scrapeProtocols", path);
        if (protocols.Count > 0)
        {
            job.Add("scrape_protocols", protocols.Cast<object>().ToList());
        }

        AddString(job, "fallback_scrape_protocol", Spec.String(spec, "fallbackScrapeProtocol", path) ?? ScrapeClass?.FallbackScrapeProtocol);
        AddString(job, "body_size_limit", Spec.String(spec, "bodySizeLimit", path));
    }

    public static void AddString(YamlBlock y, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            y.Add(key, value);
        }
    }

    public static void AddNullable(YamlBlock y, string key, string? value)
    {
        if (value is not null)
        {
            y.Add(key, value);
        }
    }

    public static void AddBool(YamlBlock y, string key, bool? value)
    {
        if (value is { } b)
        {
            y.Add(key, b);
        }
    }

    public static void AddInteger(YamlBlock y, string key, long? value)
    {
        if (value is { } n)
        {
            y.Add(key, n);
        }
    }

    /// <summary>A map key as text (mapping keys are written plain, so anything unusual is quoted).</summary>
    public static string Key(string k)
    {
        foreach (var c in k)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/'))
            {
                var sb = new StringBuilder();
                YamlBlock.Quote(sb, k);
                return sb.ToString();
            }
        }

        return k.Length == 0 || !char.IsAsciiLetter(k[0]) ? Quoted(k) : k;
    }

    private static string Quoted(string k)
    {
        var sb = new StringBuilder();
        YamlBlock.Quote(sb, k);
        return sb.ToString();
    }

    /// <summary><c>params</c>: a map of lists, written with sorted keys.</summary>
    public static YamlBlock? Params(JsonElement parent, string parentPath)
    {
        if (Spec.Object(parent, "params", parentPath) is not { } p)
        {
            return null;
        }

        var path = Spec.Join(parentPath, "params");
        var y = new YamlBlock();
        foreach (var prop in p.EnumerateObject().OrderBy(x => x.Name, StringComparer.Ordinal))
        {
            y.Add(Key(prop.Name), Spec.Strings(p, prop.Name, path).Cast<object>().ToList());
        }

        return y.Count == 0 ? null : y;
    }
}
