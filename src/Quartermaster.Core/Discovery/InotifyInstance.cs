using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Quartermaster.Core.Discovery;

/// <summary>
/// One Linux inotify instance with any number of directory watches, read by one background thread that reports
/// every event to a callback. See <see cref="DirectoryWatchRegistry"/> for why there is only one.
/// </summary>
internal sealed class InotifyInstance : IDisposable
{
    private const int InNonBlock = 0x800;
    private const int InCloExec = 0x80000;
    private const int EfdNonBlock = 0x800;
    private const int EfdCloExec = 0x80000;
    private const short PollIn = 0x1;
    private const int EventHeaderSize = 16;
    private const int EAgain = 11;
    private const int EIntr = 4;
    private const int EMFile = 24;
    private const int ENoSpc = 28;

    private const Events WatchMask = Events.Modify | Events.Attrib | Events.CloseWrite | Events.MovedFrom | Events.MovedTo
        | Events.Create | Events.Delete | Events.DeleteSelf | Events.MoveSelf | Events.OnlyDir;

    private readonly Action<int, Events, string?> _onEvent;
    private readonly int _fd;
    private readonly int _wakeFd;
    private readonly Thread _reader;
    private int _disposed;

    /// <param name="onEvent">Called on the reader thread with the watch descriptor (-1 for a queue overflow), the event
    /// mask and the entry's name (null for events on the directory itself).</param>
    /// <exception cref="IOException">No inotify instance could be opened (the per-user limit).</exception>
    public InotifyInstance(Action<int, Events, string?> onEvent)
    {
        _onEvent = onEvent;
        try
        {
            _fd = InotifyInit1(InNonBlock | InCloExec);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new IOException("inotify is not available: " + ex.Message, ex);
        }

        if (_fd < 0)
        {
            throw LastError("inotify_init1");
        }

        _wakeFd = EventFd(0, EfdNonBlock | EfdCloExec);
        if (_wakeFd < 0)
        {
            var error = LastError("eventfd");
            _ = Close(_fd);
            throw error;
        }

        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "inotify reader" };
        _reader.Start();
    }

    [Flags]
    public enum Events : uint
    {
        None = 0,
        Modify = 0x2,
        Attrib = 0x4,
        CloseWrite = 0x8,
        MovedFrom = 0x40,
        MovedTo = 0x80,
        Create = 0x100,
        Delete = 0x200,
        DeleteSelf = 0x400,
        MoveSelf = 0x800,
        Unmount = 0x2000,
        QueueOverflow = 0x4000,
        Ignored = 0x8000,
        OnlyDir = 0x1000000,
    }

    /// <summary>Adds (or, for a directory already watched, returns again) the watch of <paramref name="directory"/>.</summary>
    public int AddWatch(string directory)
    {
        var path = Encoding.UTF8.GetBytes(directory + "\0");
        var descriptor = InotifyAddWatch(_fd, path, (uint)WatchMask);
        if (descriptor < 0)
        {
            throw LastError($"inotify_add_watch {directory}");
        }

        return descriptor;
    }

    public void RemoveWatch(int descriptor) => _ = InotifyRmWatch(_fd, descriptor);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var one = new byte[8];
        one[0] = 1;
        _ = Write(_wakeFd, one, one.Length);
        if (Thread.CurrentThread != _reader)
        {
            // The reader wakes at once; the bound only guards against a stuck callback.
            _ = _reader.Join(TimeSpan.FromSeconds(5));
        }
    }

    private static IOException LastError(string call)
    {
        var errno = Marshal.GetLastPInvokeError();
        var hint = (call, errno) switch
        {
            ("inotify_init1", EMFile) => "; raise fs.inotify.max_user_instances",
            (_, ENoSpc) => "; raise fs.inotify.max_user_watches",
            _ => "",
        };
        return new IOException($"{call}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}){hint}", errno);
    }

    private void ReadLoop()
    {
        var buffer = new byte[64 * 1024];
        var fds = new PollFd[] { new() { Fd = _fd, Events = PollIn }, new() { Fd = _wakeFd, Events = PollIn } };
        try
        {
            while (Volatile.Read(ref _disposed) == 0)
            {
                fds[0].Revents = 0;
                fds[1].Revents = 0;
                if (Poll(fds, (nuint)fds.Length, -1) < 0)
                {
                    if (Marshal.GetLastPInvokeError() == EIntr)
                    {
                        continue;
                    }

                    break;
                }

                if (fds[1].Revents != 0)
                {
                    break;
                }

                if (fds[0].Revents != 0 && !Drain(buffer))
                {
                    break;
                }
            }
        }
        finally
        {
            _ = Close(_fd);
            _ = Close(_wakeFd);
        }
    }

    private bool Drain(byte[] buffer)
    {
        while (true)
        {
            var read = (long)Read(_fd, buffer, buffer.Length);
            if (read < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno is EAgain or EIntr;
            }

            var offset = 0;
            while (offset + EventHeaderSize <= read)
            {
                var span = buffer.AsSpan(offset);
                var descriptor = BinaryPrimitives.ReadInt32LittleEndian(span);
                var mask = (Events)BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[12..]);
                string? name = null;
                if (length > 0)
                {
                    var raw = span.Slice(EventHeaderSize, length);
                    var end = raw.IndexOf((byte)0);
                    name = Encoding.UTF8.GetString(end < 0 ? raw : raw[..end]);
                }

                offset += EventHeaderSize + length;
                try
                {
                    _onEvent((mask & Events.QueueOverflow) != 0 ? -1 : descriptor, mask, name);
                }
#pragma warning disable CA1031 // A subscriber's failure must not stop notifications for every other directory.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static extern int InotifyInit1(int flags);

    [DllImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true)]
    private static extern int InotifyAddWatch(int fd, byte[] pathname, uint mask);

    [DllImport("libc", EntryPoint = "inotify_rm_watch", SetLastError = true)]
    private static extern int InotifyRmWatch(int fd, int wd);

    [DllImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static extern int EventFd(uint initval, int flags);

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static extern int Poll([In, Out] PollFd[] fds, nuint nfds, int timeout);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint Read(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint Write(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
