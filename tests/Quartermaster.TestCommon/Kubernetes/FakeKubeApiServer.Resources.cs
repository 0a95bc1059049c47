using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Quartermaster.TestCommon.Kubernetes;

public sealed partial class FakeKubeApiServer
{
    private async Task RouteAsync(HttpContext context, KubeRequest request, CancellationToken cancellationToken)
    {
        if (request.Method == "GET" && await TryServeDiscoveryAsync(context, request.Path, cancellationToken))
        {
            return;
        }

        if (await TryProxyServiceAsync(context, request, cancellationToken))
        {
            return;
        }

        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group;
        string version;
        string[] rest;
        if (segments is ["api", var v, ..])
        {
            (group, version, rest) = ("", v, segments[2..]);
        }
        else if (segments is ["apis", var g, var gv, ..])
        {
            (group, version, rest) = (g, gv, segments[3..]);
        }
        else
        {
            await WriteNotFoundAsync(context, cancellationToken);
            return;
        }

        // The deprecated /watch/ path prefix means the same as ?watch=true.
        var watch = request.QueryValue("watch") is "true" or "1";
        if (rest is ["watch", ..])
        {
            (watch, rest) = (true, rest[1..]);
        }

        string? ns = null;
        string? name = null;
        string plural;
        switch (rest)
        {
            case [var p]:
                plural = p;
                break;
            case [var p, var n]:
                (plural, name) = (p, n);
                break;
            case ["namespaces", var space, var p]:
                (ns, plural) = (space, p);
                break;
            case ["namespaces", var space, var p, var n]:
                (ns, plural, name) = (space, p, n);
                break;
            default:
                await WriteNotFoundAsync(context, cancellationToken);
                return;
        }

        var resource = KubeResourceCatalog.Find(group, version, plural);
        if (resource is null || !Served(resource) || (ns is not null && !resource.Namespaced) || (ns is null && name is not null && resource.Namespaced))
        {
            await WriteNotFoundAsync(context, cancellationToken);
            return;
        }

        if (!resource.Stored)
        {
            if (request.Method == "POST" && name is null && resource.Kind == "SelfSubjectAccessReview")
            {
                await ReviewAccessAsync(context, cancellationToken);
                return;
            }

            await WriteMethodNotAllowedAsync(context, request, cancellationToken);
            return;
        }

        if (request.Method != "GET")
        {
            await WriteMethodNotAllowedAsync(context, request, cancellationToken);
            return;
        }

        var verb = watch ? "watch" : name is null ? "list" : "get";
        if (IsDenied(verb, resource, ns))
        {
            var scope = ns is null ? "at the cluster scope" : $"in the namespace \"{ns}\"";
            var message = $"{resource.Plural} is forbidden: User \"{_options.UserName}\" cannot {verb} resource \"{resource.Plural}\" "
                + $"in API group \"{resource.Group}\" {scope}";
            var details = new JsonObject { ["kind"] = resource.Plural };
            if (resource.Group.Length > 0)
            {
                details["group"] = resource.Group;
            }

            await WriteStatusAsync(context, KubeStatus.Failure(403, message, details: details), cancellationToken);
            return;
        }

        if (!LabelSelector.TryParse(request.QueryValue("labelSelector"), out var labels, out var labelError))
        {
            await WriteStatusAsync(context, KubeStatus.Failure(400, labelError), cancellationToken);
            return;
        }

        if (!FieldSelector.TryParse(request.QueryValue("fieldSelector"), resource.Kind, out var fields, out var fieldError))
        {
            await WriteStatusAsync(context, KubeStatus.Failure(400, fieldError), cancellationToken);
            return;
        }

        var filter = new KubeWatch(resource, ns, name, labels, fields, request.QueryValue("allowWatchBookmarks") is "true" or "1");
        if (watch)
        {
            await WatchAsync(context, request, filter, cancellationToken);
        }
        else if (name is not null)
        {
            var obj = _store.Get(resource, ns, name);
            if (obj is null)
            {
                var details = new JsonObject { ["name"] = name, ["kind"] = resource.Plural };
                if (resource.Group.Length > 0)
                {
                    details["group"] = resource.Group;
                }

                await WriteStatusAsync(context, KubeStatus.Failure(404, $"{resource.Plural}{GroupSuffix(resource)} \"{name}\" not found", details: details),
                    cancellationToken);
                return;
            }

            await WriteJsonAsync(context, obj.ToJsonString(), cancellationToken);
        }
        else
        {
            await ListAsync(context, request, filter, cancellationToken);
        }
    }

    private static string GroupSuffix(KubeResource resource) => resource.Group.Length == 0 ? "" : "." + resource.Group;

    private async Task ListAsync(HttpContext context, KubeRequest request, KubeWatch filter, CancellationToken cancellationToken)
    {
        var limitText = request.QueryValue("limit");
        var limit = 0;
        if (limitText is not null && (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit < 0))
        {
            await WriteStatusAsync(context, KubeStatus.Failure(400, $"invalid limit: {limitText}"), cancellationToken);
            return;
        }

        ContinueToken? token = null;
        var continueText = request.QueryValue("continue");
        if (!string.IsNullOrEmpty(continueText))
        {
            token = ContinueToken.Decode(continueText);
            if (token is null)
            {
                await WriteStatusAsync(context, KubeStatus.Failure(400, "continue key is not valid: incorrect encoded start resourceVersion", "BadRequest"),
                    cancellationToken);
                return;
            }
        }

        var page = _store.List(filter.Resource, filter, limit, token);
        if (page is null)
        {
            const string Message = "The provided continue parameter is too old to display a consistent list result. "
                + "You can start a new list without the continue parameter.";
            await WriteStatusAsync(context, KubeStatus.Failure(410, Message, "Expired"), cancellationToken);
            return;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", filter.Resource.ListKind);
            writer.WriteString("apiVersion", filter.Resource.ApiVersion);
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", Invariant(page.ResourceVersion));
            if (page.Continue is not null)
            {
                writer.WriteString("continue", page.Continue.Encode());

                // The real server reports the remaining count only for unfiltered lists.
                if (request.QueryValue("labelSelector") is null or "" && request.QueryValue("fieldSelector") is null or "")
                {
                    writer.WriteNumber("remainingItemCount", page.RemainingItemCount);
                }
            }

            writer.WriteEndObject();
            writer.WriteStartArray("items");
            foreach (var item in page.Items)
            {
                writer.WriteRawValue(item, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await WriteJsonAsync(context, Encoding.UTF8.GetString(buffer.ToArray()), cancellationToken);
    }

    private async Task WatchAsync(HttpContext context, KubeRequest request, KubeWatch watch, CancellationToken cancellationToken)
    {
        var rvText = request.QueryValue("resourceVersion");
        long? since = null;
        var sendInitialEvents = request.QueryValue("sendInitialEvents") is "true" or "1";
        if (!sendInitialEvents && !string.IsNullOrEmpty(rvText) && rvText != "0")
        {
            if (!long.TryParse(rvText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                await WriteStatusAsync(context, KubeStatus.Failure(400, $"invalid resource version: {rvText}"), cancellationToken);
                return;
            }

            since = parsed;
        }

        TimeSpan? timeout = null;
        var timeoutText = request.QueryValue("timeoutSeconds");
        if (timeoutText is not null && long.TryParse(timeoutText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            timeout = TimeSpan.FromSeconds(seconds);
        }

        var expiredMessage = since is null ? "" : _store.ExpiredMessage(since.Value);
        var opened = expiredMessage.Length == 0 ? _store.Watch(watch, since, sendInitialEvents) : null;
        if (opened is null)
        {
            var status = KubeStatus.Failure(410, expiredMessage.Length > 0 ? expiredMessage : $"too old resource version: {since}", "Expired");
            if (_options.ExpiredWatchAsHttpStatus)
            {
                await WriteStatusAsync(context, status, cancellationToken);
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(KubeObjectStore.EventLine("ERROR", status.ToJsonString()), cancellationToken);
            return;
        }

        using var timeoutSource = timeout is null ? null : new CancellationTokenSource(timeout.Value, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource?.Token ?? CancellationToken.None);
        try
        {
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync(cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
            var reader = opened.Lines;
            while (await reader.WaitToReadAsync(linked.Token))
            {
                while (reader.TryRead(out var line))
                {
                    await context.Response.WriteAsync(line, linked.Token);
                }

                await context.Response.Body.FlushAsync(linked.Token);
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // timeoutSeconds elapsed: end the stream cleanly, as the real server does.
        }
        finally
        {
            _store.Unwatch(opened);
        }
    }

    private async Task ReviewAccessAsync(HttpContext context, CancellationToken cancellationToken)
    {
        JsonObject review;
        try
        {
            review = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: cancellationToken))?.AsObject()
                ?? throw new JsonException("empty body");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            await WriteStatusAsync(context, KubeStatus.Failure(400, $"invalid SelfSubjectAccessReview: {e.Message}"), cancellationToken);
            return;
        }

        var attributes = review["spec"]?["resourceAttributes"] as JsonObject;
        var verb = (string?)attributes?["verb"] ?? "";
        var group = (string?)attributes?["group"] ?? "";
        var plural = (string?)attributes?["resource"] ?? "";
        var ns = (string?)attributes?["namespace"];
        bool denied;
        lock (_faultGate)
        {
            denied = _denied.Any(d => (d.Verb == verb || verb == "*") && d.Group == group && d.Resource == plural
                && (d.Namespace is null || string.IsNullOrEmpty(ns) || d.Namespace == ns));
        }

        review["apiVersion"] = "authorization.k8s.io/v1";
        review["kind"] = "SelfSubjectAccessReview";
        review["metadata"] = new JsonObject { ["creationTimestamp"] = null };
        review["status"] = denied
            ? new JsonObject { ["allowed"] = false }
            : new JsonObject { ["allowed"] = true, ["reason"] = "allowed by the fake API server" };
        context.Response.StatusCode = 201;
        await WriteJsonAsync(context, review.ToJsonString(), cancellationToken);
    }

    private static Task WriteNotFoundAsync(HttpContext context, CancellationToken cancellationToken) =>
        WriteStatusAsync(context, KubeStatus.Failure(404, "the server could not find the requested resource", details: new JsonObject()), cancellationToken);

    private static Task WriteMethodNotAllowedAsync(HttpContext context, KubeRequest request, CancellationToken cancellationToken) =>
        WriteStatusAsync(context, KubeStatus.Failure(405, $"the server does not allow this method on the requested resource ({request.Method})"),
            cancellationToken);
}
