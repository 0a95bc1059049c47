using System.Diagnostics;
using System.Text;

namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>Runs the real <c>kubectl</c> against a kubeconfig, with a private discovery cache and bounded waits.</summary>
public sealed class Kubectl : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Kubectl(Process process) => _process = process;

    public static string Executable { get; } = File.Exists("/usr/bin/kubectl") ? "/usr/bin/kubectl" : "kubectl";

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts kubectl; output is collected as it arrives. Dispose kills it if still running.</summary>
    public static Kubectl Start(string kubeconfig, params string[] args)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--kubeconfig");
        info.ArgumentList.Add(kubeconfig);
        info.ArgumentList.Add("--cache-dir");
        info.ArgumentList.Add(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(kubeconfig))!, "kubectl-cache"));
        info.ArgumentList.Add("--request-timeout=20s");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Keep kubectl from reading or writing anything under the real home directory.
        info.Environment["HOME"] = Path.GetDirectoryName(Path.GetFullPath(kubeconfig));
        info.Environment.Remove("KUBECONFIG");
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var kubectl = new Kubectl(process);
        process.OutputDataReceived += (_, e) => kubectl.Append(kubectl._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => kubectl.Append(kubectl._stderr, e.Data);
        process.Exited += (_, _) => kubectl._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return kubectl;
    }

    /// <summary>Runs kubectl to completion; kills it and throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public static async Task<KubectlResult> RunAsync(string kubeconfig, TimeSpan timeout, params string[] args)
    {
        using var kubectl = Start(kubeconfig, args);
        await kubectl.WaitForExitAsync(timeout);
        return new KubectlResult(kubectl._process.ExitCode, kubectl.Stdout, kubectl.Stderr);
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.Task.WaitAsync(timeout);

            // Exited can fire before the redirected streams are drained; this overload waits for both.
            await _process.WaitForExitAsync();
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"kubectl did not exit within {timeout}; stdout: {Stdout}; stderr: {Stderr}");
        }
    }

    /// <summary>Waits until stdout satisfies <paramref name="condition"/>; throws <see cref="TimeoutException"/> with the output so far.</summary>
    public async Task<string> WaitForStdoutAsync(Func<string, bool> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var text = Stdout;
            if (condition(text))
            {
                return text;
            }

            if (_exited.Task.IsCompleted)
            {
                await _process.WaitForExitAsync();
                text = Stdout;
                return condition(text) ? text : throw new InvalidOperationException($"kubectl exited ({_process.ExitCode}); stdout: {text}; stderr: {Stderr}");
            }

            try
            {
                await Task.Delay(25, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"kubectl output not seen within {timeout}; stdout: {text}; stderr: {Stderr}");
            }
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            target.Append(line).Append('\n');
        }
    }
}
