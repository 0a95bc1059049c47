using Microsoft.Extensions.Logging;

namespace Quartermaster.Core.Discovery;

public sealed partial class HttpSdProvider
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "http_sd: unable to refresh target groups from {Url}: {Error}")]
        public static partial void RefreshFailed(ILogger logger, string url, string? error);
    }
}
