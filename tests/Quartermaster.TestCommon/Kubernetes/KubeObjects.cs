using System.Text.Json.Nodes;

namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>Builders for minimal, valid Kubernetes objects to seed a <see cref="FakeKubeApiServer"/>.</summary>
public static class KubeObjects
{
    public static JsonObject Metadata(string? ns, string name, IReadOnlyDictionary<string, string>? labels = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        if (labels is not null)
        {
            metadata["labels"] = Map(labels);
        }

        return metadata;
    }

    public static JsonObject Pod(string ns, string name, IReadOnlyDictionary<string, string>? labels = null, string? nodeName = null,
        string phase = "Running", string? podIp = "10.0.0.1", bool ready = true, int port = 8080) => new()
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = Metadata(ns, name, labels),
            ["spec"] = new JsonObject
            {
                ["nodeName"] = nodeName,
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "main",
                    ["image"] = "example/main:1",
                    ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["containerPort"] = port, ["protocol"] = "TCP" }),
                }),
            },
            ["status"] = new JsonObject
            {
                ["phase"] = phase,
                ["podIP"] = podIp,
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }),
            },
        };

    public static JsonObject Namespace(string name, IReadOnlyDictionary<string, string>? labels = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = Metadata(null, name, labels),
        ["status"] = new JsonObject { ["phase"] = "Active" },
    };

    public static JsonObject Node(string name, string internalIp = "192.168.0.10", IReadOnlyDictionary<string, string>? labels = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = Metadata(null, name, labels),
        ["status"] = new JsonObject
        {
            ["addresses"] = new JsonArray(new JsonObject { ["type"] = "InternalIP", ["address"] = internalIp }),
            ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 10250 } },
        },
    };

    public static JsonObject Service(string ns, string name, int port = 8080, IReadOnlyDictionary<string, string>? labels = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = Metadata(ns, name, labels),
        ["spec"] = new JsonObject
        {
            ["type"] = "ClusterIP",
            ["clusterIP"] = "10.96.0.10",
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = port, ["protocol"] = "TCP" }),
        },
    };

    /// <summary>An IPv4 EndpointSlice of a Service with one ready endpoint per address.</summary>
    public static JsonObject EndpointSlice(string ns, string name, string serviceName, IEnumerable<string> addresses, int port = 8080)
    {
        var endpoints = new JsonArray();
        foreach (var address in addresses)
        {
            endpoints.Add(new JsonObject
            {
                ["addresses"] = new JsonArray(address),
                ["conditions"] = new JsonObject { ["ready"] = true, ["serving"] = true, ["terminating"] = false },
            });
        }

        return new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = Metadata(ns, name, new Dictionary<string, string> { ["kubernetes.io/service-name"] = serviceName }),
            ["addressType"] = "IPv4",
            ["endpoints"] = endpoints,
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = port, ["protocol"] = "TCP" }),
        };
    }

    public static JsonObject ServiceMonitor(string ns, string name, IReadOnlyDictionary<string, string> selector, string port = "http") => new()
    {
        ["apiVersion"] = "monitoring.coreos.com/v1",
        ["kind"] = "ServiceMonitor",
        ["metadata"] = Metadata(ns, name),
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["matchLabels"] = Map(selector) },
            ["endpoints"] = new JsonArray(new JsonObject { ["port"] = port }),
        },
    };

    /// <summary>A Secret whose <c>data</c> holds <paramref name="values"/>, base64-encoded as the API serves them.</summary>
    public static JsonObject Secret(string ns, string name, IReadOnlyDictionary<string, string> values)
    {
        var data = new JsonObject();
        foreach (var (key, value) in values)
        {
            data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value));
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = Metadata(ns, name), ["type"] = "Opaque", ["data"] = data };
    }

    private static JsonObject Map(IReadOnlyDictionary<string, string> values)
    {
        var map = new JsonObject();
        foreach (var (key, value) in values)
        {
            map[key] = value;
        }

        return map;
    }
}
