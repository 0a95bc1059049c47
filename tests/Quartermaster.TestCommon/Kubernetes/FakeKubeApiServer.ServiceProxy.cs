using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>
/// The service proxy subresource: <c>GET /api/v1/namespaces/{ns}/services/{name}[:{port}]/proxy/{path}</c> is forwarded
/// to a backend registered with <see cref="MapServiceProxy"/> (such as a loopback allocator), path and query kept
/// as sent (so <c>%2F</c> in job names survives), with the backend's status, content type and body.
/// </summary>
public sealed partial class FakeKubeApiServer
{
    private static readonly HttpClient ProxyHttp = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly ConcurrentDictionary<(string Namespace, string Name), (string? Port, Uri Backend)> _serviceProxies = new();

    /// <summary>
    /// Makes <c>services/{name}[:{port}]/proxy</c> in <paramref name="ns"/> forward to <paramref name="backend"/>. A request
    /// naming another port answers 503 like an API server finding no such port; one naming no port uses this one.
    /// </summary>
    public void MapServiceProxy(string ns, string name, Uri backend, string? port = null) => _serviceProxies[(ns, name)] = (port, backend);

    private async Task<bool> TryProxyServiceAsync(HttpContext context, KubeRequest request, CancellationToken cancellationToken)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.Query;
        var pathEnd = raw.IndexOf('?', StringComparison.Ordinal);
        var rawPath = pathEnd < 0 ? raw : raw[..pathEnd];
        var segments = rawPath.Split('/');
        if (segments is not ["", "api", "v1", "namespaces", var ns, "services", var service, "proxy", ..])
        {
            return false;
        }

        if (request.Method != "GET")
        {
            await WriteStatusAsync(context, KubeStatus.Failure(405, $"the fake API server proxies only GET, not {request.Method}"), cancellationToken);
            return true;
        }

        if (IsProxyDenied(ns))
        {
            await WriteStatusAsync(
                context,
                KubeStatus.Failure(403, $"services \"{service}\" is forbidden: User \"{_options.UserName}\" cannot get resource \"services/proxy\" in namespace \"{ns}\""),
                cancellationToken);
            return true;
        }

        var colon = service.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? service : service[..colon];
        var port = colon < 0 ? null : service[(colon + 1)..];
        if (!_serviceProxies.TryGetValue((ns, name), out var target))
        {
            await WriteStatusAsync(context, KubeStatus.Failure(404, $"services \"{name}\" not found"), cancellationToken);
            return true;
        }

        if (port is not null && port != target.Port && port != target.Backend.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            await WriteStatusAsync(context, KubeStatus.Failure(503, $"no endpoints available for service \"{name}:{port}\""), cancellationToken);
            return true;
        }

        var prefixLength = string.Join('/', segments[..8]).Length;
        var forwarded = new Uri(target.Backend.GetLeftPart(UriPartial.Authority) + (raw.Length > prefixLength ? raw[prefixLength..] : "/"));
        HttpResponseMessage response;
        try
        {
            response = await ProxyHttp.GetAsync(forwarded, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            await WriteStatusAsync(context, KubeStatus.Failure(503, $"error trying to reach service: {ex.Message}"), cancellationToken);
            return true;
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, cancellationToken);
        }

        return true;
    }

    private bool IsProxyDenied(string ns)
    {
        lock (_faultGate)
        {
            return _denied.Contains(("get", "", "services/proxy", ns)) || _denied.Contains(("get", "", "services/proxy", null));
        }
    }
}
