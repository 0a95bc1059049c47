namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>What a finished kubectl run printed.</summary>
public sealed record KubectlResult(int ExitCode, string Stdout, string Stderr);
