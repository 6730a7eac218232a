using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Templates;

namespace Reconciler.Host.Invocation;

/// <summary>
/// Loads the configuration for a command; user mistakes (bad setting, broken template) become
/// one line on stderr and exit 2, never a stack trace.
/// </summary>
internal static class ConfiguredRun
{
    public static async Task<int> RunAsync(RunOptions options, Func<ReconcilerSettings, Task<int>> run)
    {
        if (options.ConfigFile.Length == 0 && string.IsNullOrEmpty(options.ConfdDir))
        {
            await Console.Error.WriteLineAsync("reconciler: --config FILE (or --confd-dir DIR) is required; see 'reconciler --help'");
            return ExitCodes.BadConfiguration;
        }

        try
        {
            var settings = Load(options);
            foreach (var warning in settings.Warnings)
            {
                await Console.Error.WriteLineAsync($"reconciler: warning: {warning}");
            }

            return await run(settings);
        }
        catch (Exception e) when (e is ConfigurationException or TemplateException)
        {
            await Console.Error.WriteLineAsync($"reconciler: {e.Message}");
            return ExitCodes.BadConfiguration;
        }
    }

    /// <summary>The settings the command line names; the daemon loads them again the same way on SIGHUP.</summary>
    public static ReconcilerSettings Load(RunOptions options)
    {
        // a confd folder alone is enough to run: settings come from reference.conf and its confd.toml
        var settings = options.ConfigFile.Length == 0
            ? SettingsLoader.ForConfdDirectory(options.ConfdDir!)
            : SettingsLoader.Load(options.ConfigFile, options.ConfdDir);
        ValidateBackend(settings);
        return string.IsNullOrEmpty(options.StateDir) ? settings : settings with { StateDir = StateDir(options.StateDir) };
    }

    /// <summary>--state-dir as a full path; a file there is refused (a folder not there yet is made when first written, as for the setting).</summary>
    private static string StateDir(string flag)
    {
        var path = Path.GetFullPath(flag);
        return File.Exists(path) ? throw new ConfigurationException($"--state-dir {flag}: {path} is a file, not a folder") : path;
    }

    /// <summary>What the etcd client would refuse (TLS files with http:// endpoints, a user without a password), refused now.</summary>
    private static void ValidateBackend(ReconcilerSettings settings)
    {
        if (settings.Backend.Type != BackendType.Etcd)
        {
            return;
        }

        try
        {
            EtcdClientFactory.Validate(KeyValueSourceFactory.ConnectionOptions(settings.Backend));
        }
        catch (ArgumentException e)
        {
            throw ConfigurationException.For(settings.SourceFile, "reconciler.backend", e.Message);
        }
    }
}
