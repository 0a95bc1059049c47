namespace Quartermaster.Hosting;

/// <summary>The service's log messages. Event ids are unique across the project: 1xxx hosting, 2xxx discovery, 3xxx API.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Using the embedded default configuration: no --config-file was given and {DefaultPath} does not exist", EventName = "EmbeddedConfig")]
    public static partial void EmbeddedConfig(ILogger logger, string defaultPath);

    [LoggerMessage(1001, LogLevel.Information, "Configuration applied from {Source}: {Jobs} jobs, strategy {Strategy}, version {Version}", EventName = "ConfigApplied")]
    public static partial void ConfigApplied(ILogger logger, string source, int jobs, string strategy, string version);

    [LoggerMessage(1002, LogLevel.Error, "Configuration reload from {Source} rejected; the last good configuration keeps serving: {Errors}", EventName = "ConfigRejected")]
    public static partial void ConfigRejected(ILogger logger, string source, string errors);

    [LoggerMessage(1003, LogLevel.Warning, "Configuration warning: {Warning}", EventName = "ConfigWarning")]
    public static partial void ConfigWarning(ILogger logger, string warning);

    [LoggerMessage(1004, LogLevel.Error, "No collector source: collectors.static is not set and the Kubernetes API cannot be used, so targets stay unassigned: {Reason}", EventName = "NoCollectorSource")]
    public static partial void NoCollectorSource(ILogger logger, string reason);

    [LoggerMessage(1008, LogLevel.Warning, "collector_selector is empty: every pod in namespace '{Namespace}' counts as a collector, the allocator's own pods included. Set collector_selector to the collectors' labels", EventName = "SelectorSelectsEveryPod")]
    public static partial void SelectorSelectsEveryPod(ILogger logger, string @namespace);

    [LoggerMessage(1009, LogLevel.Error, "Watching collector pods stopped unexpectedly; the last known collectors stay", EventName = "CollectorWatchFailed")]
    public static partial void CollectorWatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(1007, LogLevel.Warning, "No collectors: collectors.static is empty, so every target is kept but served to nobody", EventName = "NoCollectors")]
    public static partial void NoCollectors(ILogger logger);

    [LoggerMessage(1005, LogLevel.Information, "Configuration file {Source} changed; reloading", EventName = "ConfigChanged")]
    public static partial void ConfigChanged(ILogger logger, string source);

    [LoggerMessage(1006, LogLevel.Critical, "Invalid configuration: {Errors}", EventName = "InvalidConfig")]
    public static partial void InvalidConfig(ILogger logger, string errors);

    [LoggerMessage(2003, LogLevel.Error, "Missing permission: the allocator may not {Permission}; the targets or collectors it would find there are not discovered. Grant it in the allocator's Role or ClusterRole", EventName = "PermissionMissing")]
    public static partial void PermissionMissing(ILogger logger, string permission);

    [LoggerMessage(2004, LogLevel.Warning, "Could not check the allocator's permissions: {Reason}", EventName = "PermissionCheckFailed")]
    public static partial void PermissionCheckFailed(ILogger logger, string reason);

    [LoggerMessage(2000, LogLevel.Warning, "Discovery {Mechanism} {Name} of job '{Job}' failed; its last targets are kept: {Reason}", EventName = "DiscoveryFailing")]
    public static partial void DiscoveryFailing(ILogger logger, string mechanism, string name, string job, string reason);

    [LoggerMessage(2001, LogLevel.Information, "Discovery {Mechanism} {Name} of job '{Job}' recovered", EventName = "DiscoveryRecovered")]
    public static partial void DiscoveryRecovered(ILogger logger, string mechanism, string name, string job);

    [LoggerMessage(2002, LogLevel.Error, "Discovery {Mechanism} of job '{Job}' stopped unexpectedly", EventName = "DiscoveryCrashed")]
    public static partial void DiscoveryCrashed(ILogger logger, Exception exception, string mechanism, string job);

    [LoggerMessage(3001, LogLevel.Warning, "A collector polled job '{Job}' with collector_id '{CollectorId}', which matches no collector; it gets no targets. Check the receiver's target_allocator.collector_id", EventName = "UnknownCollector")]
    public static partial void UnknownCollector(ILogger logger, string collectorId, string job);

    [LoggerMessage(3000, LogLevel.Error, "Unhandled error serving {Path}", EventName = "RequestFailed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(1040, LogLevel.Warning, "Job {Job} has credentials that no collector can receive: /scrape_configs serves them redacted over plain HTTP; enable the HTTPS listener (https.enabled) or set allow_insecure_auth_secrets", EventName = "SecretsWithheld")]
    public static partial void SecretsWithheld(ILogger logger, string job);
}
