using System.Net;

namespace Quartermaster.LoadTest;

/// <summary>The load tool only ever talks to this machine: a flood aimed elsewhere would be an attack, not a test.</summary>
public static class Loopback
{
    /// <summary>Whether <paramref name="server"/> is an http(s) URL naming a loopback address or <c>localhost</c>.</summary>
    public static bool IsLoopback(Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (!server.IsAbsoluteUri || (server.Scheme != Uri.UriSchemeHttp && server.Scheme != Uri.UriSchemeHttps))
        {
            return false;
        }

        if (string.Equals(server.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(server.IdnHost, out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>Parses <paramref name="text"/> as the server URL; <c>null</c> with a reason when it is not loopback.</summary>
    public static Uri? ParseServer(string text, out string? error)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            error = $"--server {text}: not an absolute URL";
            return null;
        }

        if (!IsLoopback(uri))
        {
            error = $"--server {text}: refusing a non-loopback server; the load tool only targets 127.0.0.0/8, ::1 or localhost";
            return null;
        }

        error = null;
        return uri;
    }
}
