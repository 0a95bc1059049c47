using Microsoft.Extensions.Logging;

namespace Quartermaster.Core.Discovery;

public sealed partial class FileSdProvider
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "file_sd: error reading file {Path}: {Error}")]
        public static partial void ReadFailed(ILogger logger, string path, string? error);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "file_sd: {Warning}")]
        public static partial void WatchFailed(ILogger logger, string warning);
    }
}
