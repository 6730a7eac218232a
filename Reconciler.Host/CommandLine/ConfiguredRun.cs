using Reconciler.Actors.Configuration;
using Reconciler.Actors.Templates;

namespace Reconciler.Host.CommandLine;

/// <summary>
/// Loads the configuration for a command; user mistakes (bad setting, broken template) become
/// one line on stderr and exit 2, never a stack trace.
/// </summary>
public static class ConfiguredRun
{
    public static async Task<int> RunAsync(RunOptions options, Func<ReconcilerSettings, Task<int>> run)
    {
        if (options.ConfigFile.Length == 0)
        {
            await Console.Error.WriteLineAsync("reconciler: --config FILE is required (see reconciler --help)");
            return ExitCodes.BadConfiguration;
        }

        try
        {
            return await run(SettingsLoader.Load(options.ConfigFile));
        }
        catch (Exception e) when (e is ConfigurationException or TemplateException)
        {
            await Console.Error.WriteLineAsync($"reconciler: {e.Message}");
            return ExitCodes.BadConfiguration;
        }
    }
}
