using System.Globalization;
using System.Text.Json.Nodes;

namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>
/// The fake cluster's state, like etcd plus the watch cache: objects per kind under one global, monotonically
/// increasing resourceVersion, a bounded history of changes (older resourceVersions are "compacted" and answer 410),
/// and the open watches, which are fed under the same lock as the change so no event is lost or reordered.
/// </summary>
internal sealed class KubeObjectStore(TimeProvider timeProvider, int historyCapacity)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<KubeResource, SortedDictionary<string, StoredObject>> _objects = [];
    private readonly Queue<Change> _history = new();
    private readonly List<KubeWatch> _watches = [];
    private long _resourceVersion;
    private long _oldestValidResourceVersion;

    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    public int WatchCount
    {
        get
        {
            lock (_gate)
            {
                return _watches.Count;
            }
        }
    }

    public JsonObject Upsert(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var apiVersion = (string?)obj["apiVersion"] ?? throw new ArgumentException("the object has no apiVersion", nameof(obj));
        var kind = (string?)obj["kind"] ?? throw new ArgumentException("the object has no kind", nameof(obj));
        var resource = KubeResourceCatalog.FindByKind(apiVersion, kind);
        if (resource is null || !resource.Stored)
        {
            throw new ArgumentException($"the fake API server does not store {apiVersion} {kind}", nameof(obj));
        }

        var copy = obj.DeepClone().AsObject();
        if (copy["metadata"] is not JsonObject metadata)
        {
            metadata = [];
            copy["metadata"] = metadata;
        }

        var name = (string?)metadata["name"];
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("the object has no metadata.name", nameof(obj));
        }

        if (resource.Namespaced)
        {
            metadata["namespace"] = (string?)metadata["namespace"] ?? "default";
        }
        else
        {
            metadata.Remove("namespace");
        }

        var key = Key(resource, (string?)metadata["namespace"], name);
        lock (_gate)
        {
            var objects = Objects(resource);
            objects.TryGetValue(key, out var previous);
            var rv = ++_resourceVersion;
            metadata["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
            metadata["uid"] = (string?)metadata["uid"] ?? (string?)previous?.Object["metadata"]?["uid"] ?? Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = (string?)metadata["creationTimestamp"]
                ?? (string?)previous?.Object["metadata"]?["creationTimestamp"]
                ?? timeProvider.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var stored = new StoredObject(resource, copy);
            objects[key] = stored;
            Record(new Change(rv, resource, key, previous is null ? "ADDED" : "MODIFIED", stored, previous));
            return copy.DeepClone().AsObject();
        }
    }

    public bool Delete(KubeResource resource, string? ns, string name)
    {
        var key = Key(resource, resource.Namespaced ? ns ?? "default" : null, name);
        lock (_gate)
        {
            if (!Objects(resource).Remove(key, out var previous))
            {
                return false;
            }

            var rv = ++_resourceVersion;
            var tombstone = previous.Object.DeepClone().AsObject();
            tombstone["metadata"]!["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
            Record(new Change(rv, resource, key, "DELETED", new StoredObject(resource, tombstone), previous));
            return true;
        }
    }

    public JsonObject? Get(KubeResource resource, string? ns, string name)
    {
        lock (_gate)
        {
            return Objects(resource).TryGetValue(Key(resource, ns, name), out var stored) ? stored.Object.DeepClone().AsObject() : null;
        }
    }

    /// <summary>Marks every resourceVersion below <paramref name="resourceVersion"/> as compacted.</summary>
    public void ExpireBefore(long resourceVersion)
    {
        lock (_gate)
        {
            _oldestValidResourceVersion = Math.Max(_oldestValidResourceVersion, resourceVersion);
            while (_history.Count > 0 && _history.Peek().ResourceVersion <= _oldestValidResourceVersion)
            {
                _history.Dequeue();
            }
        }
    }

    public string ExpiredMessage(long resourceVersion)
    {
        lock (_gate)
        {
            return resourceVersion < _oldestValidResourceVersion
                ? $"too old resource version: {resourceVersion} ({_oldestValidResourceVersion})"
                : "";
        }
    }

    /// <summary>
    /// One page of a list, as a consistent snapshot at the first page's resourceVersion (rebuilt from the history
    /// by undoing later changes). Returns null when the continue token's resourceVersion was compacted.
    /// </summary>
    public ListPage? List(KubeResource resource, KubeWatch filter, int limit, ContinueToken? token)
    {
        lock (_gate)
        {
            var snapshotRv = token?.ResourceVersion ?? _resourceVersion;
            if (snapshotRv < _oldestValidResourceVersion)
            {
                return null;
            }

            var state = new SortedDictionary<string, StoredObject>(Objects(resource), StringComparer.Ordinal);
            foreach (var change in _history.Reverse())
            {
                if (change.ResourceVersion <= snapshotRv)
                {
                    break;
                }

                if (change.Resource != resource)
                {
                    continue;
                }

                if (change.Previous is null)
                {
                    state.Remove(change.Key);
                }
                else
                {
                    state[change.Key] = change.Previous;
                }
            }

            var items = new List<string>();
            string? lastKey = null;
            var remaining = 0;
            foreach (var (key, stored) in state)
            {
                if (token is not null && string.CompareOrdinal(key, token.StartAfter) <= 0)
                {
                    continue;
                }

                if (!filter.Matches(stored.Object))
                {
                    continue;
                }

                if (limit > 0 && items.Count >= limit)
                {
                    remaining++;
                    continue;
                }

                items.Add(stored.ItemJson);
                lastKey = key;
            }

            var next = remaining > 0 ? new ContinueToken(snapshotRv, lastKey!) : null;
            return new ListPage(snapshotRv, items, next, remaining);
        }
    }

    /// <summary>
    /// Opens a watch. <paramref name="since"/> null means "start with the current state as ADDED events";
    /// otherwise the changes after it are replayed. Returns null when <paramref name="since"/> was compacted.
    /// </summary>
    public KubeWatch? Watch(KubeWatch watch, long? since, bool initialEventsEnd)
    {
        lock (_gate)
        {
            if (since is null)
            {
                foreach (var stored in Objects(watch.Resource).Values)
                {
                    if (watch.Matches(stored.Object))
                    {
                        watch.Write(EventLine("ADDED", stored.Json));
                    }
                }

                watch.MinResourceVersion = _resourceVersion;
                if (initialEventsEnd && watch.Bookmarks)
                {
                    watch.Write(BookmarkLine(watch.Resource, _resourceVersion, initialEventsEnd: true));
                }
            }
            else
            {
                if (since < _oldestValidResourceVersion)
                {
                    return null;
                }

                watch.MinResourceVersion = since.Value;
                foreach (var change in _history)
                {
                    Dispatch(watch, change);
                }
            }

            _watches.Add(watch);
            return watch;
        }
    }

    public void Unwatch(KubeWatch watch)
    {
        lock (_gate)
        {
            _watches.Remove(watch);
        }

        watch.Complete();
    }

    /// <summary>Sends a BOOKMARK at the current resourceVersion to every watch that asked for bookmarks.</summary>
    public void SendBookmarks()
    {
        lock (_gate)
        {
            foreach (var watch in _watches)
            {
                if (watch.Bookmarks)
                {
                    watch.Write(BookmarkLine(watch.Resource, _resourceVersion, initialEventsEnd: false));
                }
            }
        }
    }

    /// <summary>Ends every open watch stream (after the events already queued) and returns how many there were.</summary>
    public int CloseWatches()
    {
        lock (_gate)
        {
            var count = _watches.Count;
            foreach (var watch in _watches)
            {
                watch.Complete();
            }

            _watches.Clear();
            return count;
        }
    }

    /// <summary>
    /// Sends every open watch one ERROR event with a 410 Expired Status and ends it, as the API server does when a
    /// watcher falls too far behind; returns how many watches there were.
    /// </summary>
    public int ExpireWatches()
    {
        lock (_gate)
        {
            var line = EventLine("ERROR", KubeStatus.Failure(410, $"too old resource version: {_resourceVersion}", "Expired").ToJsonString());
            foreach (var watch in _watches)
            {
                watch.Write(line);
            }

            return CloseWatches();
        }
    }

    private static string Key(KubeResource resource, string? ns, string name) => resource.Namespaced ? $"{ns}/{name}" : name;

    private SortedDictionary<string, StoredObject> Objects(KubeResource resource)
    {
        if (!_objects.TryGetValue(resource, out var objects))
        {
            objects = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
            _objects[resource] = objects;
        }

        return objects;
    }

    private void Record(Change change)
    {
        _history.Enqueue(change);
        while (_history.Count > historyCapacity)
        {
            _oldestValidResourceVersion = Math.Max(_oldestValidResourceVersion, _history.Dequeue().ResourceVersion);
        }

        foreach (var watch in _watches)
        {
            Dispatch(watch, change);
        }
    }

    // Like the API server's watch cache: a change that makes an object start or stop matching the watch's
    // selectors is delivered as ADDED or DELETED (the latter with the previous state at the new resourceVersion).
    private static void Dispatch(KubeWatch watch, Change change)
    {
        if (change.Resource != watch.Resource || change.ResourceVersion <= watch.MinResourceVersion)
        {
            return;
        }

        var nowMatches = watch.Matches(change.Current.Object);
        var beforeMatches = change.Previous is not null && watch.Matches(change.Previous.Object);
        switch (change.Type)
        {
            case "ADDED" when nowMatches:
            case "DELETED" when nowMatches:
                watch.Write(EventLine(change.Type, change.Current.Json));
                break;
            case "MODIFIED" when nowMatches:
                watch.Write(EventLine(beforeMatches ? "MODIFIED" : "ADDED", change.Current.Json));
                break;
            case "MODIFIED" when beforeMatches:
                var gone = change.Previous!.Object.DeepClone().AsObject();
                gone["metadata"]!["resourceVersion"] = change.ResourceVersion.ToString(CultureInfo.InvariantCulture);
                watch.Write(EventLine("DELETED", gone.ToJsonString()));
                break;
        }
    }

    public static string EventLine(string type, string objectJson) => $"{{\"type\":\"{type}\",\"object\":{objectJson}}}\n";

    private static string BookmarkLine(KubeResource resource, long resourceVersion, bool initialEventsEnd)
    {
        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        var obj = new JsonObject { ["kind"] = resource.Kind, ["apiVersion"] = resource.ApiVersion, ["metadata"] = metadata };
        return EventLine("BOOKMARK", obj.ToJsonString());
    }

    private sealed record Change(long ResourceVersion, KubeResource Resource, string Key, string Type, StoredObject Current, StoredObject? Previous);

    private sealed class StoredObject
    {
        public StoredObject(KubeResource resource, JsonObject obj)
        {
            Object = obj;
            Json = obj.ToJsonString();

            // Built-in kinds are typed lists on a real server: their items carry no kind/apiVersion. Custom resources keep them.
            if (!resource.IsCustom)
            {
                var item = obj.DeepClone().AsObject();
                item.Remove("kind");
                item.Remove("apiVersion");
                ItemJson = item.ToJsonString();
            }
            else
            {
                ItemJson = Json;
            }
        }

        public JsonObject Object { get; }

        public string Json { get; }

        public string ItemJson { get; }
    }
}
