using Quartermaster.Hosting;

var options = CommandLine.Parse(args, Console.Error, out var exitCode);
if (options is null)
{
    return exitCode;
}

ConfigSource source;
try
{
    source = ConfigSource.Resolve(options.ConfigFile);
}
catch (FileNotFoundException ex)
{
    await Console.Error.WriteLineAsync($"Failed to load config: {ex.Message}");
    return 1;
}

return await QuartermasterHost.RunAsync(source, options, configure: null, CancellationToken.None);
