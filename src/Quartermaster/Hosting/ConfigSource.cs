using System.Reflection;
using Quartermaster.Core.Config;

namespace Quartermaster.Hosting;

/// <summary>Where the configuration comes from: a file, or the embedded default when no file is given or present.</summary>
internal sealed class ConfigSource
{
    private const string EmbeddedName = "Quartermaster.default-targetallocator.yaml";

    private ConfigSource(string? path)
    {
        Path = path;
    }

    /// <summary>The file, or <c>null</c> for the embedded default.</summary>
    public string? Path { get; }

    public bool IsEmbedded => Path is null;

    public string DisplayName => Path ?? "embedded default configuration";

    /// <summary>
    /// An explicitly given path must exist; without one, the default path is used when it exists, else the embedded
    /// default.
    /// </summary>
    public static ConfigSource Resolve(string? explicitPath, string defaultPath = TargetAllocatorConfig.DefaultConfigFilePath)
    {
        if (explicitPath is not null)
        {
            if (!File.Exists(explicitPath))
            {
                throw new FileNotFoundException($"config file {explicitPath} does not exist", explicitPath);
            }

            return new ConfigSource(System.IO.Path.GetFullPath(explicitPath));
        }

        return File.Exists(defaultPath) ? new ConfigSource(defaultPath) : new ConfigSource(null);
    }

    public string ReadText()
    {
        if (Path is not null)
        {
            return File.ReadAllText(Path);
        }

        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(EmbeddedName)
            ?? throw new InvalidOperationException("the embedded default configuration is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
