using System.Globalization;
using k8s.Models;
using Quartermaster.Core.Discovery;

namespace Quartermaster.Kubernetes.Discovery;

/// <summary>The <c>pod</c> role: one group per pod, one target per container port (prometheus.md §3.6.3).</summary>
public static class PodTranslator
{
    internal const string PodPrefix = MetaLabels.Prefix + "pod_";
    internal const string ContainerName = PodPrefix + "container_name";
    internal const string ContainerId = PodPrefix + "container_id";
    internal const string ContainerImage = PodPrefix + "container_image";
    internal const string ContainerInit = PodPrefix + "container_init";
    internal const string ContainerPortName = PodPrefix + "container_port_name";
    internal const string ContainerPortNumber = PodPrefix + "container_port_number";
    internal const string ContainerPortProtocol = PodPrefix + "container_port_protocol";

    public static string SourceOf(string? ns, string? name) => "pod/" + ns + "/" + name;

    public static TargetGroup Translate(V1Pod pod, IKubernetesObjectLookup lookup, AttachMetadata attach)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(attach);
        var source = SourceOf(pod.Metadata?.NamespaceProperty, pod.Metadata?.Name);
        var podIp = pod.Status?.PodIP;
        if (string.IsNullOrEmpty(podIp))
        {
            return TargetGroup.Empty(source);
        }

        var nodeName = pod.Spec?.NodeName ?? "";
        if (attach.Node && lookup.GetNode(nodeName) is null)
        {
            return TargetGroup.Empty(source);
        }

        var group = PodLabels(pod);
        group[MetaLabels.Namespace] = pod.Metadata?.NamespaceProperty ?? "";
        if (attach.Node)
        {
            MetaLabels.AddNodeMetadata(group, nodeName, lookup);
        }

        if (attach.Namespace)
        {
            MetaLabels.AddNamespaceMetadata(group, pod.Metadata?.NamespaceProperty, lookup);
        }

        AddWorkloadLabels(group, pod, lookup, attach);

        var targets = new List<Core.Labels.Label[]>();
        var containers = pod.Spec?.Containers ?? [];
        var initContainers = pod.Spec?.InitContainers ?? [];
        var count = containers.Count + initContainers.Count;
        for (var i = 0; i < count; i++)
        {
            var isInit = i >= containers.Count;
            var container = isInit ? initContainers[i - containers.Count] : containers[i];
            var statuses = isInit ? pod.Status?.InitContainerStatuses : pod.Status?.ContainerStatuses;
            var containerId = FindContainerId(container.Name, statuses);
            if (container.Ports is null || container.Ports.Count == 0)
            {
                var target = new LabelMap(6);
                target[MetaLabels.Address] = podIp;
                AddContainerLabels(target, container, containerId, isInit);
                targets.Add(target.ToSortedArray());
                continue;
            }

            foreach (var port in container.Ports)
            {
                var target = new LabelMap(9);
                target[MetaLabels.Address] = MetaLabels.JoinHostPort(podIp, port.ContainerPort);
                target[ContainerPortName] = port.Name ?? "";
                target[ContainerPortNumber] = port.ContainerPort.ToString(CultureInfo.InvariantCulture);
                target[ContainerPortProtocol] = port.Protocol ?? "";
                AddContainerLabels(target, container, containerId, isInit);
                targets.Add(target.ToSortedArray());
            }
        }

        return new TargetGroup(source, targets, group.ToSortedArray());
    }

    /// <summary>Prometheus <c>podLabels</c>: the pod-level labels shared by the pod, endpoints and endpointslice roles.</summary>
    internal static LabelMap PodLabels(V1Pod pod)
    {
        var labels = new LabelMap(24);
        labels[PodPrefix + "ip"] = pod.Status?.PodIP ?? "";
        labels[PodPrefix + "ready"] = PodReady(pod);
        labels[PodPrefix + "phase"] = pod.Status?.Phase ?? "";
        labels[PodPrefix + "node_name"] = pod.Spec?.NodeName ?? "";
        labels[PodPrefix + "host_ip"] = pod.Status?.HostIP ?? "";
        labels[PodPrefix + "uid"] = pod.Metadata?.Uid ?? "";
        MetaLabels.AddObjectMeta(labels, pod.Metadata, "pod");
        var controller = ControllerOf(pod.Metadata);
        if (controller is not null)
        {
            if (!string.IsNullOrEmpty(controller.Kind))
            {
                labels[PodPrefix + "controller_kind"] = controller.Kind;
            }

            if (!string.IsNullOrEmpty(controller.Name))
            {
                labels[PodPrefix + "controller_name"] = controller.Name;
            }
        }

        return labels;
    }

    /// <summary>Every container of the pod in Prometheus' scan order: regular containers, then init containers.</summary>
    internal static IEnumerable<(V1Container Container, bool IsInit)> Containers(V1Pod pod)
    {
        foreach (var c in pod.Spec?.Containers ?? [])
        {
            yield return (c, false);
        }

        foreach (var c in pod.Spec?.InitContainers ?? [])
        {
            yield return (c, true);
        }
    }

    internal static V1OwnerReference? ControllerOf(V1ObjectMeta? meta)
    {
        if (meta?.OwnerReferences is null)
        {
            return null;
        }

        foreach (var owner in meta.OwnerReferences)
        {
            if (owner.Controller == true)
            {
                return owner;
            }
        }

        return null;
    }

    private static void AddWorkloadLabels(LabelMap group, V1Pod pod, IKubernetesObjectLookup lookup, AttachMetadata attach)
    {
        var controller = ControllerOf(pod.Metadata);
        if (controller is null)
        {
            return;
        }

        var ns = pod.Metadata?.NamespaceProperty ?? "";
        if (attach.Deployment && controller.Kind == "ReplicaSet"
            && ControllerOf(lookup.GetReplicaSet(ns, controller.Name)?.Metadata) is { Kind: "Deployment" } deployment)
        {
            group[PodPrefix + "deployment_name"] = deployment.Name;
        }

        if (controller.Kind == "Job")
        {
            if (attach.Job)
            {
                group[PodPrefix + "job_name"] = controller.Name;
            }

            if (attach.CronJob && ControllerOf(lookup.GetJob(ns, controller.Name)?.Metadata) is { Kind: "CronJob" } cronJob)
            {
                group[PodPrefix + "cronjob_name"] = cronJob.Name;
            }
        }
    }

    private static void AddContainerLabels(LabelMap target, V1Container container, string containerId, bool isInit)
    {
        target[ContainerName] = container.Name ?? "";
        target[ContainerId] = containerId;
        target[ContainerImage] = container.Image ?? "";
        target[ContainerInit] = MetaLabels.FormatBool(isInit);
    }

    private static string FindContainerId(string? name, IList<V1ContainerStatus>? statuses)
    {
        if (statuses is null)
        {
            return "";
        }

        foreach (var status in statuses)
        {
            if (status.Name == name)
            {
                return status.ContainerID ?? "";
            }
        }

        return "";
    }

    private static string PodReady(V1Pod pod)
    {
        if (pod.Status?.Conditions is { } conditions)
        {
            foreach (var condition in conditions)
            {
                if (condition.Type == "Ready")
                {
                    return (condition.Status ?? "").ToLowerInvariant();
                }
            }
        }

        return "unknown";
    }
}
