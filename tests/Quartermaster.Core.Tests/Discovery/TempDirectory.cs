namespace Quartermaster.Core.Tests.Discovery;

/// <summary>A fresh directory under the system temp path, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "qm-sd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => Path + "/" + name;

    /// <summary>Writes via a temporary file and a rename, so a reader never sees a half-written file.</summary>
    public string Write(string name, string content)
    {
        var path = File(name);
        var temp = Path + "/.tmp-" + Guid.NewGuid().ToString("N");
        System.IO.File.WriteAllText(temp, content);
        System.IO.File.Move(temp, path, overwrite: true);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
