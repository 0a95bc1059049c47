using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Quartermaster.LoadTest;

/// <summary>How the generated file_sd groups carry upstream's benchmark labels.</summary>
public enum LabelShape
{
    /// <summary>One group per target holding all 17 group labels and 24 target labels plus <c>target_id</c>: what the pipeline sees in upstream's benchmark.</summary>
    Full,

    /// <summary>Groups of 5 targets sharing the 17 group labels; file_sd cannot give a target labels of its own.</summary>
    Groups,
}

/// <summary>
/// A directory the allocator discovers from: one file_sd file per job (each in its own directory, so a change wakes
/// only that job's watcher) and a config naming them, with upstream's benchmark shapes (go-baseline.md §2 and
/// benchmarks/Quartermaster.Benchmarks/Workload.cs: 5 targets per group, 20 groups per job, a unique address per
/// target). The load tool rewrites the files to churn targets.
/// </summary>
public sealed class TargetWorkspace
{
    public const int TargetsPerGroup = 5;

    /// <summary>Upstream's benchmark shape: 20 groups of 5 per job.</summary>
    public const int DefaultTargetsPerJob = 100;

    /// <summary>
    /// Jobs the workspace makes at most, whatever the size: each file_sd source holds a directory watch, and Linux
    /// allows a user 128 inotify instances by default (the service also watches its config). Larger workloads get
    /// more targets per job instead.
    /// </summary>
    public const int MaxJobs = 100;

    private const string Annotation = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"my-app\",\"release\":\"prometheus\"},\"name\":\"my-app\",\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"name\":\"prom\",\"port\":9090,\"protocol\":\"TCP\",\"targetPort\":9090}],\"selector\":{\"app\":\"my-app\"},\"sessionAffinity\":\"None\",\"type\":\"ClusterIP\"},\"status\":{\"loadBalancer\":{}}}\n";

    private readonly int[] _generation;
    private readonly List<int>[] _extra;
    private readonly object _gate = new();
    private int _nextExtraId;

    private TargetWorkspace(string root, int targets, int collectors, LabelShape shape, string strategy, int maxJobs)
    {
        var jobs = Math.Clamp(targets / DefaultTargetsPerJob, 1, Math.Max(1, maxJobs));
        GroupsPerJob = Math.Max(1, targets / jobs / TargetsPerGroup);
        Root = root;
        Jobs = jobs;
        Collectors = collectors;
        Shape = shape;
        Strategy = strategy;
        _generation = new int[jobs * TargetsPerJob];
        _extra = new List<int>[jobs];
        for (var j = 0; j < jobs; j++)
        {
            _extra[j] = [];
        }

        _nextExtraId = jobs * TargetsPerJob;
        ConfigPath = Path.Combine(root, "targetallocator.yaml");
    }

    public string Root { get; }

    public int GroupsPerJob { get; }

    public int TargetsPerJob => GroupsPerJob * TargetsPerGroup;

    public string ConfigPath { get; }

    public int Jobs { get; }

    public int Collectors { get; }

    public LabelShape Shape { get; }

    public string Strategy { get; }

    /// <summary>Top-level YAML appended to the config as given (for example <c>http_server: {queue_limit: 50}</c>).</summary>
    public string? ExtraConfig { get; init; }

    /// <summary>Targets currently in the files.</summary>
    public int TargetCount
    {
        get
        {
            lock (_gate)
            {
                return _generation.Length + _extra.Sum(e => e.Count);
            }
        }
    }

    /// <summary>Total size of the target files as last written.</summary>
    public long FileBytes => Enumerable.Range(0, Jobs).Sum(j => new FileInfo(JobFile(j)).Length);

    public static string JobName(int job) => "test-job-" + job.ToString(CultureInfo.InvariantCulture);

    public static string CollectorName(int collector) => "collector-" + collector.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes the config and every job's file for <paramref name="targets"/> targets: jobs of 100 (upstream's shape)
    /// up to <see cref="MaxJobs"/> jobs, then more targets per job; rounded down to whole groups of 5.
    /// </summary>
    public static TargetWorkspace Create(string root, int targets, int collectors, LabelShape shape = LabelShape.Full, string strategy = "consistent-hashing", int maxJobs = MaxJobs, string? extraConfig = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(collectors, 1);
        Directory.CreateDirectory(root);
        var workspace = new TargetWorkspace(Path.GetFullPath(root), targets, collectors, shape, strategy, maxJobs) { ExtraConfig = extraConfig };
        for (var j = 0; j < workspace.Jobs; j++)
        {
            workspace.WriteJob(j);
        }

        workspace.WriteConfig(comment: null);
        return workspace;
    }

    /// <summary>
    /// The workspace <see cref="Create"/> wrote into <paramref name="root"/> with the same <paramref name="targets"/> and
    /// <paramref name="shape"/>, without writing anything: the generator is deterministic, so churning from here
    /// rewrites exactly the files a running allocator already reads.
    /// </summary>
    public static TargetWorkspace Attach(string root, int targets, LabelShape shape = LabelShape.Full, int maxJobs = MaxJobs)
    {
        var workspace = new TargetWorkspace(Path.GetFullPath(root), targets, 1, shape, "", maxJobs);
        if (!File.Exists(workspace.JobFile(workspace.Jobs - 1)) || File.Exists(workspace.JobFile(workspace.Jobs)))
        {
            throw new ArgumentException($"{root} does not hold a workspace of {targets} targets (run generate with the same --targets)");
        }

        return workspace;
    }

    public string JobFile(int job) => Path.Combine(Root, "targets", "job-" + job.ToString(CultureInfo.InvariantCulture), "targets.json");

    /// <summary>The address target <paramref name="id"/> has now; a churn changes its port, so its identity changes.</summary>
    public string Address(int id)
    {
        int generation;
        lock (_gate)
        {
            generation = id < _generation.Length ? _generation[id] : 0;
        }

        return AddressOf(id, generation);
    }

    /// <summary>Gives <paramref name="count"/> distinct random targets a new address and rewrites their jobs' files. Returns one (job, new address) per rewritten job.</summary>
    public IReadOnlyList<(int Job, string Address)> Churn(int count, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        count = Math.Clamp(count, 0, _generation.Length);
        var chosen = new HashSet<int>();
        while (chosen.Count < count)
        {
            chosen.Add(random.Next(_generation.Length));
        }

        var changed = new SortedDictionary<int, string>();
        lock (_gate)
        {
            foreach (var id in chosen)
            {
                _generation[id] = (_generation[id] + 1) % 50_000;
                changed[id / TargetsPerJob] = AddressOf(id, _generation[id]);
            }
        }

        foreach (var job in changed.Keys)
        {
            WriteJob(job);
        }

        return [.. changed.Select(c => (c.Key, c.Value))];
    }

    /// <summary>Adds one target to <paramref name="job"/> and rewrites its file; returns the new target's address.</summary>
    public string AddTarget(int job)
    {
        int id;
        lock (_gate)
        {
            id = _nextExtraId++;
            _extra[job].Add(id);
        }

        WriteJob(job);
        return AddressOf(id, 0);
    }

    /// <summary>Removes the target <see cref="AddTarget"/> added last to <paramref name="job"/>; returns its address.</summary>
    public string RemoveAddedTarget(int job)
    {
        int id;
        lock (_gate)
        {
            id = _extra[job][^1];
            _extra[job].RemoveAt(_extra[job].Count - 1);
        }

        WriteJob(job);
        return AddressOf(id, 0);
    }

    /// <summary>Writes every job's file again with the same bytes (a new inode and modification time each).</summary>
    public void RewriteAll()
    {
        for (var j = 0; j < Jobs; j++)
        {
            WriteJob(j);
        }
    }

    /// <summary>Rewrites the config with the same jobs; a different <paramref name="comment"/> changes its text, not its meaning.</summary>
    public void WriteConfig(string? comment)
    {
        var yaml = new StringBuilder();
        if (comment is not null)
        {
            yaml.Append("# ").Append(comment).Append('\n');
        }

        yaml.Append("allocation_strategy: ").Append(Strategy).Append('\n');
        yaml.Append("collectors:\n  static:\n");
        for (var c = 0; c < Collectors; c++)
        {
            // per-node needs a node per collector: one collector per node, as a DaemonSet runs them.
            yaml.Append("    - ").Append(Strategy == "per-node"
                ? string.Create(CultureInfo.InvariantCulture, $"{{id: {CollectorName(c)}, node: node-{c}}}")
                : CollectorName(c)).Append('\n');
        }

        yaml.Append("config:\n  scrape_configs:\n");
        for (var j = 0; j < Jobs; j++)
        {
            yaml.Append("    - job_name: ").Append(JobName(j)).Append('\n');
            yaml.Append("      file_sd_configs:\n        - files: [\"").Append(JobFile(j)).Append("\"]\n");
        }

        if (ExtraConfig is not null)
        {
            yaml.Append(ExtraConfig).Append('\n');
        }

        WriteAtomically(ConfigPath, Encoding.UTF8.GetBytes(yaml.ToString()));
    }

    private static string AddressOf(int id, int generation) => string.Create(
        CultureInfo.InvariantCulture, $"10.{(id >> 16) & 255}.{(id >> 8) & 255}.{id & 255}:{9006 + generation}");

    private void WriteJob(int job)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            int[] extra;
            lock (_gate)
            {
                extra = [.. _extra[job]];
            }

            for (var g = 0; g < GroupsPerJob; g++)
            {
                var first = (job * TargetsPerJob) + (g * TargetsPerGroup);
                if (Shape == LabelShape.Full)
                {
                    for (var t = 0; t < TargetsPerGroup; t++)
                    {
                        WriteGroup(json, job, g, [first + t], withTargetLabels: true);
                    }
                }
                else
                {
                    WriteGroup(json, job, g, [.. Enumerable.Range(first, TargetsPerGroup)], withTargetLabels: false);
                }
            }

            foreach (var id in extra)
            {
                WriteGroup(json, job, 0, [id], withTargetLabels: Shape == LabelShape.Full);
            }

            json.WriteEndArray();
        }

        WriteAtomically(JobFile(job), buffer.ToArray());
    }

    private void WriteGroup(Utf8JsonWriter json, int job, int group, int[] ids, bool withTargetLabels)
    {
        json.WriteStartObject();
        json.WriteStartArray("targets");
        foreach (var id in ids)
        {
            json.WriteStringValue(Address(id));
        }

        json.WriteEndArray();
        json.WriteStartObject("labels");
        var j = job & 255;
        var ic = CultureInfo.InvariantCulture;
        json.WriteString("__meta_kubernetes_namespace", "default");
        if (!withTargetLabels && Strategy == "per-node")
        {
            // Groups without target labels carry their node on the group (the full shape has it per target).
            json.WriteString("__meta_kubernetes_pod_node_name", string.Create(ic, $"node-{group % 50}"));
        }

        json.WriteString("__meta_kubernetes_service_annotation_kubectl_kubernetes_io_last_applied_configuration", Annotation);
        json.WriteString("__meta_kubernetes_service_annotationpresent_kubectl_kubernetes_io_last_applied_configuration", "true");
        json.WriteString("__meta_kubernetes_service_label_app", "my-app");
        json.WriteString("__meta_kubernetes_service_label_release", "prometheus");
        json.WriteString("__meta_kubernetes_service_labelpresent_app", "true");
        json.WriteString("__meta_kubernetes_service_labelpresent_release", "true");
        json.WriteString("__meta_kubernetes_service_name", "my-app");
        json.WriteString("__meta_kubernetes_service_type", "ClusterIP");
        json.WriteString("__meta_kubernetes_service_cluster_ip", string.Create(ic, $"10.96.{j}.{group}"));
        json.WriteString("__meta_kubernetes_service_port_name", "prom");
        json.WriteString("__meta_kubernetes_service_port_number", "9090");
        json.WriteString("__meta_kubernetes_service_port_protocol", "TCP");
        json.WriteString("__meta_kubernetes_endpointslice_name", string.Create(ic, $"my-app-{job}-{group}"));
        json.WriteString("__meta_kubernetes_endpointslice_address_type", "IPv4");
        json.WriteString("somelabel", "somevalue");
        if (withTargetLabels)
        {
            var id = ids[0];
            json.WriteString("__meta_kubernetes_endpointslice_address_target_kind", "Pod");
            json.WriteString("__meta_kubernetes_endpointslice_address_target_name", string.Create(ic, $"my-app-pod-{id}"));
            json.WriteString("__meta_kubernetes_endpointslice_endpoint_conditions_ready", "true");
            json.WriteString("__meta_kubernetes_endpointslice_endpoint_conditions_serving", "true");
            json.WriteString("__meta_kubernetes_endpointslice_endpoint_conditions_terminating", "false");
            json.WriteString("__meta_kubernetes_endpointslice_endpoint_node_name", string.Create(ic, $"node-{id % 50}"));
            json.WriteString("__meta_kubernetes_endpointslice_port", "9090");
            json.WriteString("__meta_kubernetes_endpointslice_port_name", "prom");
            json.WriteString("__meta_kubernetes_endpointslice_port_protocol", "TCP");
            json.WriteString("__meta_kubernetes_pod_container_image", "quay.io/prometheus-operator/prometheus-operator:v0.65.2");
            json.WriteString("__meta_kubernetes_pod_container_name", "app");
            json.WriteString("__meta_kubernetes_pod_container_port_name", "prom");
            json.WriteString("__meta_kubernetes_pod_container_port_number", "9090");
            json.WriteString("__meta_kubernetes_pod_container_port_protocol", "TCP");
            json.WriteString("__meta_kubernetes_pod_controller_kind", "ReplicaSet");
            json.WriteString("__meta_kubernetes_pod_controller_name", "my-app-5d9c7b");
            json.WriteString("__meta_kubernetes_pod_host_ip", string.Create(ic, $"192.168.{(id >> 8) & 255}.{id & 255}"));
            json.WriteString("__meta_kubernetes_pod_ip", string.Create(ic, $"10.244.{(id >> 8) & 255}.{id & 255}"));
            json.WriteString("__meta_kubernetes_pod_label_app", "my-app");
            json.WriteString("__meta_kubernetes_pod_labelpresent_app", "true");
            json.WriteString("__meta_kubernetes_pod_name", string.Create(ic, $"my-app-pod-{id}"));
            json.WriteString("__meta_kubernetes_pod_node_name", string.Create(ic, $"node-{id % 50}"));
            json.WriteString("__meta_kubernetes_pod_phase", "Running");
            json.WriteString("__meta_kubernetes_pod_ready", "true");
            json.WriteString("target_id", id.ToString(ic));
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Write to a sibling temp name, then rename over: the allocator never reads a half-written file.</summary>
    private static void WriteAtomically(string path, byte[] content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
