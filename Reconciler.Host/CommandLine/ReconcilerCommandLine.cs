using System.CommandLine;
using Reconciler.Host.Daemon;

namespace Reconciler.Host.CommandLine;

/// <summary>The command line: the daemon (root command) and its tools (subcommands, one file each).</summary>
public static class ReconcilerCommandLine
{
    public static RootCommand Build()
    {
        var common = new CommonOptions();
        var onetime = new Option<bool>("--onetime")
        {
            Description = "Render every template once (check, write, reload), then exit; non-zero exit if any failed",
        };

        var root = new RootCommand("Reconciler: keeps configuration files in sync with etcd and reloads the services that read them.")
        {
            common.Config,
            common.LogLevel,
            common.LogFormat,
            onetime,
        };
        root.Add(RegisterCommand.Create(common));
        root.SetAction((result, cancellationToken) =>
        {
            var options = common.Read(result);
            return result.GetValue(onetime)
                ? ConfiguredRun.RunAsync(options, settings => OneTimeRunner.RunAsync(settings, options, cancellationToken))
                : ConfiguredRun.RunAsync(options, settings => DaemonRunner.RunAsync(settings, options, cancellationToken));
        });
        return root;
    }
}
