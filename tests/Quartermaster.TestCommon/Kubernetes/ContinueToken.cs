using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>The opaque <c>continue</c> value: the snapshot's resourceVersion and the last key returned.</summary>
internal sealed record ContinueToken(long ResourceVersion, string StartAfter)
{
    public string Encode()
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object> { ["rv"] = ResourceVersion, ["start"] = StartAfter });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static ContinueToken? Decode(string text)
    {
        try
        {
            var padded = text.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var node = JsonNode.Parse(Convert.FromBase64String(padded));
            return new ContinueToken((long)node!["rv"]!, (string)node["start"]!);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or NullReferenceException)
        {
            return null;
        }
    }
}
