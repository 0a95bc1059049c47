using Quartermaster.Core.Config;
using Quartermaster.TestCommon.Kubernetes;
using YamlDotNet.RepresentationModel;

namespace Quartermaster.IntegrationTests.Kubernetes;

/// <summary>The manifests in deploy/ are accepted by kubectl and carry a configuration the allocator loads.</summary>
public sealed class DeployManifestTests
{
    private static string DeployDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Quartermaster.slnx")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("repository root"), "deploy");
    }

    [Fact]
    public async Task KubectlApplyDryRun_AcceptsEveryManifest()
    {
        await using var api = await FakeKubeApiServer.StartAsync();
        var kubeconfig = api.WriteKubeconfig(Directory.CreateTempSubdirectory("qm-deploy-").FullName);

        var result = await Kubectl.RunAsync(kubeconfig, TimeSpan.FromSeconds(60), "apply", "--dry-run=client", "--validate=false", "-f", DeployDirectory());

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var created in new[] { "serviceaccount/quartermaster", "clusterrole.rbac.authorization.k8s.io/quartermaster", "clusterrolebinding.rbac.authorization.k8s.io/quartermaster", "configmap/quartermaster", "deployment.apps/quartermaster", "service/quartermaster" })
        {
            Assert.Contains(created + " created (dry run)", result.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ConfigMap_HoldsAValidConfiguration()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(DeployDirectory(), "quartermaster.yaml")))
        {
            stream.Load(reader);
        }

        var configMap = stream.Documents.Select(d => (YamlMappingNode)d.RootNode)
            .Single(m => ((YamlScalarNode)m.Children[new YamlScalarNode("kind")]).Value == "ConfigMap");
        var text = ((YamlScalarNode)((YamlMappingNode)configMap.Children[new YamlScalarNode("data")]).Children[new YamlScalarNode("targetallocator.yaml")]).Value!;

        var config = TargetAllocatorConfigLoader.Load(text, "deploy/quartermaster.yaml", name => name == "OTELCOL_NAMESPACE" ? "observability" : null, new ConfigOverrides());

        Assert.Equal("observability", config.CollectorNamespace);
        Assert.Equal("kubernetes-pods", Assert.Single(config.PromConfig!.ScrapeConfigs).JobName);
    }
}
