using System.Globalization;
using BenchmarkDotNet.Attributes;
using k8s.Models;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Pipeline;
using Quartermaster.Kubernetes.Discovery;

namespace Quartermaster.Benchmarks;

/// <summary>
/// The watch-event path of <c>kubernetes_sd</c> (role endpointslice): one EndpointSlice changes in a cluster of
/// 10,000 slices holding 100,000 targets, all in one ServiceMonitor job with the operator's relabel chain. An event
/// costs the translation of that slice, the relabeling of its targets, the job's re-assembly and allocation diff,
/// and the rebuilt responses of the collectors whose targets changed.
/// </summary>
[MemoryDiagnoser]
public class WatchEventBenchmarks
{
    private const string Job = "serviceMonitor/default/my-app/0";
    private const int EndpointsPerSlice = 10;

    private readonly object _instance = new();
    private readonly Lookup _lookup = new();
    private TargetPipeline _pipeline = null!;
    private V1EndpointSlice _sliceA = null!;
    private V1EndpointSlice _sliceB = null!;
    private bool _toggle;

    [Params(10_000)]
    public int Slices { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        for (var s = 0; s < Slices / 10; s++)
        {
            var name = "svc-" + s.ToString(CultureInfo.InvariantCulture);
            _lookup.Services[name] = new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["app"] = "my-app" } },
                Spec = new V1ServiceSpec { ClusterIP = "10.96.0.1", Ports = [new V1ServicePort { Name = "prom", Port = 8080 }] },
            };
        }

        var groups = new List<TargetGroup>(Slices);
        for (var i = 0; i < Slices; i++)
        {
            groups.Add(EndpointSliceTranslator.Translate(Slice(i, ready: true), _lookup, AttachMetadata.None));
        }

        _sliceA = Slice(Slices / 2, ready: true);
        _sliceB = Slice(Slices / 2, ready: false);
        var job = new ScrapeConfig
        {
            JobName = Job,
            ScrapeInterval = PromDuration.FromSeconds(30),
            ScrapeTimeout = PromDuration.FromSeconds(10),
            RelabelConfigs = RelabelBenchmarks.ServiceMonitorRules(),
            KubernetesSdConfigs = [new KubernetesSdConfig { Role = "endpointslice" }],
        };
        _pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System);
        _pipeline.ApplyConfig(new PipelineConfig
        {
            Jobs = [job],
            RelabelFiltering = true,
            ScrapeConfigsRedacted = "{}"u8.ToArray(),
            ScrapeConfigsWithSecrets = "{}"u8.ToArray(),
            Version = "bench",
        });
        _pipeline.SetCollectors([.. Enumerable.Range(0, 100).Select(i => new CollectorInfo($"collector-{i}"))]);
        _pipeline.PublishGroups(Job, "kubernetes_sd/0", _instance, groups);
        _pipeline.ProcessPending();
        if (_pipeline.Current.TargetCount != Slices * EndpointsPerSlice)
        {
            throw new InvalidOperationException($"expected {Slices * EndpointsPerSlice} targets, got {_pipeline.Current.TargetCount}");
        }
    }

    /// <summary>One slice event: its endpoints flip between ready and not ready (a label change on 10 targets).</summary>
    [Benchmark]
    public long OneEndpointSliceUpdate()
    {
        _toggle = !_toggle;
        var group = EndpointSliceTranslator.Translate(_toggle ? _sliceB : _sliceA, _lookup, AttachMetadata.None);
        _pipeline.PublishGroups(Job, "kubernetes_sd/0", _instance, [group]);
        _pipeline.ProcessPending();
        return _pipeline.Current.Generation;
    }

    /// <summary>
    /// One slice event that changes nothing served (a resync or an unrelated field): the fixed cost of an event,
    /// without rebuilding any collector's response.
    /// </summary>
    [Benchmark]
    public long OneEndpointSliceResync()
    {
        var group = EndpointSliceTranslator.Translate(_sliceA, _lookup, AttachMetadata.None);
        _pipeline.PublishGroups(Job, "kubernetes_sd/0", _instance, [group]);
        _pipeline.ProcessPending();
        return _pipeline.Current.Generation;
    }

    private static V1EndpointSlice Slice(int i, bool ready)
    {
        var service = "svc-" + (i / 10).ToString(CultureInfo.InvariantCulture);
        var endpoints = new List<V1Endpoint>(EndpointsPerSlice);
        for (var e = 0; e < EndpointsPerSlice; e++)
        {
            var n = (i * EndpointsPerSlice) + e;
            var ip = string.Create(CultureInfo.InvariantCulture, $"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}");
            endpoints.Add(new V1Endpoint
            {
                Addresses = [ip],
                Conditions = new V1EndpointConditions { Ready = ready, Serving = ready, Terminating = false },
                NodeName = "node-" + (n % 50).ToString(CultureInfo.InvariantCulture),
                TargetRef = new V1ObjectReference { Kind = "Pod", Name = "pod-" + n.ToString(CultureInfo.InvariantCulture), NamespaceProperty = "default" },
            });
        }

        return new V1EndpointSlice
        {
            AddressType = "IPv4",
            Metadata = new V1ObjectMeta
            {
                Name = service + "-" + (i % 10).ToString(CultureInfo.InvariantCulture),
                NamespaceProperty = "default",
                Labels = new Dictionary<string, string> { [EndpointSliceTranslator.ServiceNameLabel] = service },
            },
            Endpoints = endpoints,
            Ports = [new Discoveryv1EndpointPort { Name = "prom", Port = 8080, Protocol = "TCP" }],
        };
    }

    private sealed class Lookup : IKubernetesObjectLookup
    {
        public Dictionary<string, V1Service> Services { get; } = new(StringComparer.Ordinal);

        public V1Pod? GetPod(string ns, string name) => null;

        public V1Service? GetService(string ns, string name) => Services.GetValueOrDefault(name);

        public V1Node? GetNode(string name) => null;

        public V1Namespace? GetNamespace(string name) => null;

        public V1ReplicaSet? GetReplicaSet(string ns, string name) => null;

        public V1Job? GetJob(string ns, string name) => null;
    }
}
