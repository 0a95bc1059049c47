using System.Threading.Channels;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Kubernetes.Discovery;
using Quartermaster.Kubernetes.Tests.Watch;
using Quartermaster.Kubernetes.Watch;
using Quartermaster.TestCommon.Kubernetes;

namespace Quartermaster.Kubernetes.Tests.Discovery;

public sealed class KubernetesSdProviderTests
{
    private static readonly ResourceCacheOptions FastRetry = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200), JitterSeed = 1,
    };

    [Fact]
    public async Task Run_EndpointSliceRole_PublishesUpdatesDeletionsAndSurvivesWatchFaults()
    {
        await using var api = await FakeApi.StartAsync();
        api.Server.Upsert(KubeObjects.Service("shop", "web", labels: new Dictionary<string, string> { ["app"] = "web" }));
        api.Server.Upsert(KubeObjects.EndpointSlice("shop", "web-1", "web", ["10.0.0.1", "10.0.0.2"]));
        api.Server.Upsert(KubeObjects.EndpointSlice("other", "x-1", "x", ["10.9.0.1"]));
        await using var registry = new KubernetesCacheRegistry(api.Client, TimeProvider.System, options: FastRetry);
        var status = new SourceStatus("job", "kubernetes_sd", "endpointslice");
        var config = new KubernetesSdConfig { Role = "endpointslice", NamespaceNames = ["shop"] };
        var provider = new KubernetesSdProvider(config, registry, status);
        var published = Channel.CreateUnbounded<IReadOnlyList<TargetGroup>>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        var run = provider.RunAsync(groups => published.Writer.TryWrite(groups), cts.Token);

        var initial = Assert.Single(await published.Reader.ReadAsync(cts.Token));
        Assert.Equal("endpointslice/shop/web-1", initial.Source);
        Assert.Equal(["10.0.0.1:8080", "10.0.0.2:8080"], initial.Targets.Select(Address));
        Assert.Contains(initial.Labels, l => l is { Name: "__meta_kubernetes_service_label_app", Value: "web" });

        api.Server.Upsert(KubeObjects.EndpointSlice("shop", "web-1", "web", ["10.0.0.1", "10.0.0.3"]));
        var updated = await NextGroupAsync(published, "endpointslice/shop/web-1", cts.Token);
        Assert.Equal(["10.0.0.1:8080", "10.0.0.3:8080"], updated.Targets.Select(Address));

        // A service change recomputes the slices of that service.
        api.Server.Upsert(KubeObjects.Service("shop", "web", labels: new Dictionary<string, string> { ["app"] = "web2" }));
        var relabelled = await NextGroupAsync(published, "endpointslice/shop/web-1", cts.Token);
        Assert.Contains(relabelled.Labels, l => l is { Name: "__meta_kubernetes_service_label_app", Value: "web2" });

        // Watch faults: an expired watch and a dropped one; the next change still arrives and nothing is deleted.
        api.Server.ExpireWatches();
        api.Server.DropWatches();
        api.Server.Upsert(KubeObjects.EndpointSlice("shop", "web-2", "web", ["10.0.1.1"]));
        var added = await NextGroupAsync(published, "endpointslice/shop/web-2", cts.Token);
        Assert.Equal(["10.0.1.1:8080"], added.Targets.Select(Address));

        api.Server.Delete("EndpointSlice", "shop", "web-1");
        var deleted = await NextGroupAsync(published, "endpointslice/shop/web-1", cts.Token);
        Assert.Empty(deleted.Targets);
        Assert.Null(status.LastError);

        await cts.CancelAsync();
        await run;
        Assert.Equal(0, registry.Count);
    }

    [Fact]
    public async Task Run_PodRoleWithOwnNamespace_ReadsOnlyThatNamespace()
    {
        await using var api = await FakeApi.StartAsync();
        api.Server.Upsert(KubeObjects.Pod("mine", "a", podIp: "10.1.0.1"));
        api.Server.Upsert(KubeObjects.Pod("theirs", "b", podIp: "10.2.0.1"));
        await using var registry = new KubernetesCacheRegistry(api.Client, TimeProvider.System, options: FastRetry);
        var config = new KubernetesSdConfig { Role = "pod", OwnNamespace = true };
        var provider = new KubernetesSdProvider(config, registry, new SourceStatus("job", "kubernetes_sd", "pod"), ownNamespace: () => "mine");
        var published = Channel.CreateUnbounded<IReadOnlyList<TargetGroup>>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        var run = provider.RunAsync(groups => published.Writer.TryWrite(groups), cts.Token);
        var group = Assert.Single(await published.Reader.ReadAsync(cts.Token));
        Assert.Equal("pod/mine/a", group.Source);
        Assert.Equal(["10.1.0.1:8080"], group.Targets.Select(Address));
        await cts.CancelAsync();
        await run;
    }

    [Theory]
    [InlineData("", "", "", false, "", "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)")]
    [InlineData("pods", "", "", false, "", "unknown Kubernetes SD role \"pods\"")]
    [InlineData("pod", "https://k8s:6443", "/kc", false, "", "cannot use 'kubeconfig_file' and 'api_server' simultaneously")]
    [InlineData("pod", "https://k8s:6443", "", true, "", "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously")]
    [InlineData("pod", "", "/kc", true, "", "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously")]
    [InlineData("pod", "", "", false, "service", "pod role supports only pod, node selectors")]
    [InlineData("node", "", "", false, "pod", "node role supports only node selectors")]
    [InlineData("endpoints", "", "", false, "service,service", "duplicated selector role: service")]
    public void Validate_InvalidConfig_ReportsPrometheusMessage(
        string role, string apiServer, string kubeconfig, bool ownNamespace, string selectorRoles, string expected)
    {
        var config = new KubernetesSdConfig
        {
            Role = role,
            ApiServer = apiServer,
            KubeconfigFile = kubeconfig,
            OwnNamespace = ownNamespace,
            Selectors = selectorRoles.Length == 0 ? [] : [.. selectorRoles.Split(',').Select(r => new KubernetesSdSelector(r, "a=b", ""))],
        };
        Assert.Contains(expected, KubernetesSdValidator.Validate(config));
    }

    [Fact]
    public void Validate_CustomHttpConfig_NeedsApiServerAndExcludesKubeconfig()
    {
        var http = new HttpClientConfig { BearerToken = "t" };
        Assert.Equal(
            ["to use custom HTTP client configuration please provide the 'api_server' URL explicitly"],
            KubernetesSdValidator.Validate(new KubernetesSdConfig { Role = "pod", HttpClient = http }));
        Assert.Contains(
            "cannot use a custom HTTP client configuration together with 'kubeconfig_file'",
            KubernetesSdValidator.Validate(new KubernetesSdConfig { Role = "pod", HttpClient = http, KubeconfigFile = "/kc" }));
        Assert.Empty(KubernetesSdValidator.Validate(new KubernetesSdConfig { Role = "pod", HttpClient = http, ApiServer = "https://k8s" }));
        Assert.Empty(KubernetesSdValidator.Validate(new KubernetesSdConfig
        {
            Role = "endpointslice",
            Selectors = [new("pod", "", "spec.nodeName=a"), new("service", "app=x", ""), new("endpointslice", "", "")],
        }));
    }

    private static string Address(Core.Labels.Label[] target) => target.Single(l => l.Name == "__address__").Value;

    private static async Task<TargetGroup> NextGroupAsync(
        Channel<IReadOnlyList<TargetGroup>> published, string source, CancellationToken cancellationToken)
    {
        while (true)
        {
            foreach (var group in await published.Reader.ReadAsync(cancellationToken))
            {
                if (group.Source == source)
                {
                    return group;
                }
            }
        }
    }
}
