using System.CommandLine;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Templates;
using Reconciler.Host.Daemon;

namespace Reconciler.Host.CommandLine;

/// <summary>The command line: options, their help, and the dispatch to daemon or one-shot runs.</summary>
public static class ReconcilerCommandLine
{
    public static RootCommand Build()
    {
        var config = new Option<string>("--config", "-c")
        {
            Description = "HOCON configuration file (see config/hocon/reference.conf)",
            Required = true,
        };
        var onetime = new Option<bool>("--onetime")
        {
            Description = "Render every template once (check, write, reload), then exit; non-zero exit if any failed",
        };
        var logLevel = new Option<string?>("--log-level")
        {
            Description = "trace | debug | info | warning | error (overrides reconciler.log.level)",
        };
        logLevel.AcceptOnlyFromAmong("trace", "debug", "info", "warning", "error");
        var logFormat = new Option<string?>("--log-format")
        {
            Description = "text | json (overrides reconciler.log.format)",
        };
        logFormat.AcceptOnlyFromAmong("text", "json");

        var root = new RootCommand("Reconciler: keeps configuration files in sync with etcd and reloads the services that read them.")
        {
            config,
            onetime,
            logLevel,
            logFormat,
        };
        root.SetAction((result, cancellationToken) =>
        {
            var options = new RunOptions(result.GetValue(config)!, result.GetValue(logLevel), result.GetValue(logFormat));
            return result.GetValue(onetime)
                ? RunGuarded(options, settings => OneTimeRunner.RunAsync(settings, options, cancellationToken))
                : RunGuarded(options, settings => DaemonRunner.RunAsync(settings, options, cancellationToken));
        });
        return root;
    }

    /// <summary>Loads the configuration; user mistakes become one line on stderr and exit 2, never a stack trace.</summary>
    private static async Task<int> RunGuarded(RunOptions options, Func<ReconcilerSettings, Task<int>> run)
    {
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
