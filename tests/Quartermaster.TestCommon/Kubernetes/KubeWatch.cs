using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>One open watch stream: its filter and the queue of serialized event lines waiting to be written.</summary>
internal sealed class KubeWatch(KubeResource resource, string? ns, string? name, LabelSelector labels, FieldSelector fields, bool bookmarks)
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public KubeResource Resource { get; } = resource;

    public bool Bookmarks { get; } = bookmarks;

    /// <summary>Events at or below this resourceVersion were already covered by the initial state; skip them.</summary>
    public long MinResourceVersion { get; set; }

    public ChannelReader<string> Lines => _lines.Reader;

    public bool Matches(JsonObject obj)
    {
        var metadata = obj["metadata"] as JsonObject;
        if (ns is not null && (string?)metadata?["namespace"] != ns)
        {
            return false;
        }

        if (name is not null && (string?)metadata?["name"] != name)
        {
            return false;
        }

        return labels.Matches(metadata?["labels"] as JsonObject) && fields.Matches(obj);
    }

    public void Write(string line) => _lines.Writer.TryWrite(line);

    /// <summary>Ends the stream after the lines already queued.</summary>
    public void Complete() => _lines.Writer.TryComplete();
}
