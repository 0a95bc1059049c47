using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Quartermaster.Kubernetes;
using Quartermaster.Kubernetes.Watch;
using Quartermaster.TestCommon.Kubernetes;

namespace Quartermaster.Benchmarks;

/// <summary>
/// Startup list of N pods: the time from creating the pod cache to its first complete list (paged, as the
/// allocator lists), and the memory of the listing process. The Kubernetes API test server runs in a child process
/// on a loopback port, so the figures are the allocator side's alone.
/// <c>dotnet run -c Release --project benchmarks/Quartermaster.Benchmarks -- --pod-list 100000</c>
/// </summary>
internal static class PodListStopwatch
{
    public static async Task<int> RunAsync(int pods)
    {
        var dir = Directory.CreateTempSubdirectory("qm-podlist-").FullName;
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(PodListStopwatch).Assembly.Location);
        }

        foreach (var a in new[] { "--fake-api-server", pods.ToString(CultureInfo.InvariantCulture), dir })
        {
            start.ArgumentList.Add(a);
        }

        using var server = Process.Start(start)!;
        try
        {
            string? kubeconfig = null;
            using (var ready = new CancellationTokenSource(TimeSpan.FromMinutes(10)))
            {
                while (await server.StandardOutput.ReadLineAsync(ready.Token) is { } line)
                {
                    if (line.StartsWith("READY ", StringComparison.Ordinal))
                    {
                        kubeconfig = line[6..];
                        break;
                    }
                }
            }

            if (kubeconfig is null)
            {
                Console.Error.WriteLine("the API test server did not start");
                return 1;
            }

            GC.Collect();
            var baseline = GC.GetTotalMemory(forceFullCollection: true);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var config = KubernetesClientFactory.BuildConfiguration(kubeconfig, out _);
            using var client = new k8s.Kubernetes(config);
            var stopwatch = Stopwatch.StartNew();
            await using var registry = new KubernetesCacheRegistry(client, TimeProvider.System);
            await using var lease = registry.Acquire(KubernetesResources.Pods, ns: null);
            await lease.Cache.Ready.WaitAsync(TimeSpan.FromMinutes(10));
            var elapsed = stopwatch.Elapsed;
            var retained = GC.GetTotalMemory(forceFullCollection: true) - baseline;
            using var self2 = Process.GetCurrentProcess();
            self2.Refresh();
            var cpu = self2.TotalProcessorTime - cpuBefore;
            Console.WriteLine("| pods | list time (wall) | CPU of the listing process | pods cached | managed heap retained | peak RSS (listing process) |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {pods:N0} | {elapsed.TotalSeconds:F2} s | {cpu.TotalSeconds:F2} s | {lease.Cache.Count:N0} | {retained / 1048576.0:F0} MiB | {self2.PeakWorkingSet64 / 1048576.0:F0} MiB |"));
            return lease.Cache.Count == pods ? 0 : 1;
        }
        finally
        {
            server.StandardInput.Close();
            if (!server.WaitForExit(10_000))
            {
                server.Kill();
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Child process: the API test server holding <paramref name="pods"/> pods, until stdin closes.</summary>
    public static async Task<int> ServeAsync(int pods, string directory)
    {
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiServerOptions { BearerToken = "bench" });
        for (var i = 0; i < pods; i++)
        {
            server.Upsert(Pod(i));
        }

        Console.WriteLine("READY " + server.WriteKubeconfig(directory));
        await Console.In.ReadToEndAsync();
        return 0;
    }

    private static JsonObject Pod(int i)
    {
        var n = i.ToString(CultureInfo.InvariantCulture);
        var ns = "ns-" + (i % 100).ToString(CultureInfo.InvariantCulture);
        var ip = string.Create(CultureInfo.InvariantCulture, $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}");
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = "app-" + n,
                ["namespace"] = ns,
                ["uid"] = Guid.NewGuid().ToString(),
                ["labels"] = new JsonObject
                {
                    ["app.kubernetes.io/name"] = "app-" + (i % 500).ToString(CultureInfo.InvariantCulture),
                    ["app.kubernetes.io/instance"] = "instance-" + (i % 50).ToString(CultureInfo.InvariantCulture),
                    ["pod-template-hash"] = "5d8f7c9b" + (i % 10).ToString(CultureInfo.InvariantCulture),
                },
                ["annotations"] = new JsonObject { ["prometheus.io/scrape"] = "true", ["prometheus.io/port"] = "8080" },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = "app-rs-" + (i % 500).ToString(CultureInfo.InvariantCulture),
                    ["uid"] = "00000000-0000-0000-0000-000000000000", ["controller"] = true,
                }),
            },
            ["spec"] = new JsonObject
            {
                ["nodeName"] = "node-" + (i % 1000).ToString(CultureInfo.InvariantCulture),
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "app",
                    ["image"] = "registry.example/app:1.2.3",
                    ["ports"] = new JsonArray(
                        new JsonObject { ["name"] = "http", ["containerPort"] = 8080, ["protocol"] = "TCP" },
                        new JsonObject { ["name"] = "metrics", ["containerPort"] = 9090, ["protocol"] = "TCP" }),
                }),
            },
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["podIP"] = ip,
                ["hostIP"] = "192.168.0." + (i % 250).ToString(CultureInfo.InvariantCulture),
                ["conditions"] = new JsonArray(
                    new JsonObject { ["type"] = "Ready", ["status"] = "True" },
                    new JsonObject { ["type"] = "ContainersReady", ["status"] = "True" }),
            },
        };
    }
}
