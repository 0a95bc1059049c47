using k8s;
using Quartermaster.TestCommon.Kubernetes;

namespace Quartermaster.Kubernetes.Tests.Watch;

/// <summary>A fresh fake API server and a client for it, per test.</summary>
internal sealed class FakeApi : IAsyncDisposable
{
    private readonly string _dir;

    private FakeApi(FakeKubeApiServer server, string dir, IKubernetes client)
    {
        Server = server;
        _dir = dir;
        Client = client;
    }

    public FakeKubeApiServer Server { get; }

    public IKubernetes Client { get; }

    public static async Task<FakeApi> StartAsync(IReadOnlyList<string>? unservedResources = null)
    {
        var server = await FakeKubeApiServer.StartAsync(
            new FakeKubeApiServerOptions { BearerToken = "test-token", UnservedResources = unservedResources ?? [] }, TestContext.Current.CancellationToken);
        var dir = Directory.CreateTempSubdirectory("qm-k8s-").FullName;
        var config = Quartermaster.Kubernetes.KubernetesClientFactory.BuildConfiguration(server.WriteKubeconfig(dir), out _);
        return new FakeApi(server, dir, new k8s.Kubernetes(config));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
