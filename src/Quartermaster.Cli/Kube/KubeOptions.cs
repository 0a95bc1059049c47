using System.CommandLine;

namespace Quartermaster.Cli.Kube;

/// <summary>The <c>--service</c>, <c>--kubeconfig</c> and <c>--context</c> options, for every command that talks to the allocator.</summary>
internal sealed class KubeOptions
{
    public Option<string?> Service { get; } = new("--service")
    {
        Description = "Reach the allocator through the Kubernetes API service proxy instead of --server: [namespace/]name[:port] " +
            "(namespace defaults to the context's)",
        Recursive = true,
    };

    public Option<string?> Kubeconfig { get; } = new("--kubeconfig")
    {
        Description = "With --service: the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)",
        Recursive = true,
    };

    public Option<string?> Context { get; } = new("--context")
    {
        Description = "With --service: the kubeconfig context (default: its current context)",
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Add(Service);
        command.Add(Kubeconfig);
        command.Add(Context);
    }

    /// <summary>The service-proxy client when <c>--service</c> is given, else null.</summary>
    /// <param name="result">The parsed command line.</param>
    /// <param name="serverGiven">Whether <c>--server</c> was also given explicitly (an error).</param>
    public AllocatorClient? TryCreate(ParseResult result, bool serverGiven)
    {
        if (result.GetValue(Service) is not { Length: > 0 } service)
        {
            return null;
        }

        return serverGiven
            ? AllocatorClient.Failed($"service {service}", "give either --server or --service, not both")
            : ServiceProxy.CreateClient(service, result.GetValue(Kubeconfig), result.GetValue(Context));
    }
}
