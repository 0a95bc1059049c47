namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>A resource cannot be turned into scrape configs; the message is the reason given in its rejection.</summary>
internal sealed class ResourceInvalidException : Exception
{
    public ResourceInvalidException()
    {
    }

    public ResourceInvalidException(string message)
        : base(message)
    {
    }

    public ResourceInvalidException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
