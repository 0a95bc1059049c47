using Quartermaster.Core.Config;
using Quartermaster.Kubernetes.Rbac;

namespace Quartermaster.Kubernetes.Tests.Rbac;

public class RbacPreflightTests
{
    [Fact]
    public void Required_PrometheusCrEnabled_CoversCrdsNamespacesSecretsAndConfigMaps()
    {
        var config = new TargetAllocatorConfig
        {
            CollectorNamespace = "otel",
            PrometheusCr = new PrometheusCrConfig { Enabled = true, AllowNamespaces = ["apps"], SecretNamespaces = ["apps", "vault"], DenyNamespaces = ["vault"] },
        };

        var required = RbacPreflight.Required(config).Select(p => p.ToString()).ToList();

        foreach (var plural in new[] { "servicemonitors", "podmonitors", "probes", "scrapeconfigs" })
        {
            Assert.Contains($"list {plural}.monitoring.coreos.com in namespace apps", required);
            Assert.Contains($"watch {plural}.monitoring.coreos.com in namespace apps", required);
        }

        Assert.Contains("watch namespaces in all namespaces", required);
        Assert.Contains("list secrets in namespace apps", required);
        Assert.Contains("watch configmaps in namespace apps", required);
        Assert.DoesNotContain(required, p => p.Contains("vault", StringComparison.Ordinal));
    }

    [Fact]
    public void Required_PrometheusCrDisabled_NeedsNoMonitoringPermissions()
    {
        var config = new TargetAllocatorConfig { CollectorNamespace = "otel" };

        var required = RbacPreflight.Required(config);

        Assert.DoesNotContain(required, p => p.Group == "monitoring.coreos.com" || p.Resource is "secrets" or "namespaces");
    }

    [Fact]
    public void Required_DefaultSecretNamespace_IsTheCollectorNamespace()
    {
        var config = new TargetAllocatorConfig { CollectorNamespace = "otel", PrometheusCr = new PrometheusCrConfig { Enabled = true } };

        var required = RbacPreflight.Required(config).Select(p => p.ToString()).ToList();

        Assert.Contains("list secrets in namespace otel", required);
        Assert.Contains("list servicemonitors.monitoring.coreos.com in all namespaces", required);
    }
}
