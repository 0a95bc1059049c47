namespace Quartermaster.Kubernetes.Watch;

public enum CacheEventType
{
    Added,
    Modified,
    Deleted,
}

/// <summary>A change of one cached object: <c>Old</c> is null when added, <c>New</c> is null when deleted.</summary>
public readonly record struct CacheEvent<T>(CacheEventType Type, string Key, T? Old, T? New)
    where T : class;
