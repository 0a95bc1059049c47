using Quartermaster.Core.Config;
using Quartermaster.Kubernetes.Rbac;

namespace Quartermaster.Kubernetes.Tests.Rbac;

public sealed class RbacPreflightRequiredTests
{
    [Fact]
    public void RequiredFor_EndpointSliceInNamespaces_ListsListAndWatchOfEachResourcePerNamespace()
    {
        var sd = new KubernetesSdConfig { Role = "endpointslice", NamespaceNames = ["shop"] };

        var required = RbacPreflight.RequiredFor(sd).Select(p => p.ToString()).ToList();

        Assert.Equal(
            [
                "list pods in namespace shop", "watch pods in namespace shop",
                "list services in namespace shop", "watch services in namespace shop",
                "list endpointslices.discovery.k8s.io in namespace shop", "watch endpointslices.discovery.k8s.io in namespace shop",
            ],
            required);
    }

    [Fact]
    public void RequiredFor_NodeRole_IsClusterWide()
    {
        var sd = new KubernetesSdConfig { Role = "node", NamespaceNames = ["shop"] };

        Assert.Equal(["list nodes in all namespaces", "watch nodes in all namespaces"], RbacPreflight.RequiredFor(sd).Select(p => p.ToString()));
    }
}
