namespace Quartermaster.Core.Config;

/// <summary>A <c>kubernetes_sd_configs[].selectors</c> entry.</summary>
public sealed record KubernetesSdSelector(string Role, string Label, string Field);
