using System.CommandLine;
using System.CommandLine.Help;
using Reconciler.Host.Daemon;
using Reconciler.Host.Invocation;

namespace Reconciler.Host.CommandLine;

/// <summary>The command line: the daemon (root command) and its tools (subcommands, one file each).</summary>
internal static class ReconcilerCommandLine
{
    /// <summary>Parses and runs <paramref name="args"/>; a command-line mistake is one line and exit 2, not the whole help text.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var result = Build().Parse(args);
        if (result.Errors.Count > 0 && result.Action is not HelpAction)
        {
            await Console.Error.WriteLineAsync($"reconciler: {OneLine(result.Errors[0].Message)}; see 'reconciler --help'");
            return ExitCodes.BadConfiguration;
        }

        return await result.InvokeAsync();
    }

    /// <summary>A parser message on one line: "Must be one of:" followed by one value a line becomes a list.</summary>
    private static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (lines.Length > 1 ? $"{lines[0]} {string.Join(", ", lines[1..])}" : lines[0]).TrimEnd('.');
    }

    public static RootCommand Build()
    {
        var common = new CommonOptions();
        var onetime = new Option<bool>("--onetime")
        {
            Description = "Render every template once (check, write, reload), then exit; non-zero exit if any failed",
        };

        var noop = new Option<bool>("--noop")
        {
            Description = "Read the keys once, render and check every template, print a unified diff per template to stdout; write and reload nothing. Always runs once: --onetime --noop is the same dry run (confd's -onetime -noop)",
        };

        var root = new RootCommand("Reconciler: keeps configuration files in sync with etcd and reloads the services that read them.")
        {
            common.LogLevel,
            common.LogFormat,
            onetime,
            noop,
        };
        common.AddConfigurationTo(root);
        root.Add(ConvertTemplateCommand.Create());
        root.Add(RegisterCommand.Create(common));
        root.SetAction((result, cancellationToken) =>
        {
            var options = common.Read(result);
            return (result.GetValue(noop), result.GetValue(onetime)) switch
            {
                (true, _) => ConfiguredRun.RunAsync(options, settings => NoopRunner.RunAsync(settings, options, cancellationToken)),
                (_, true) => ConfiguredRun.RunAsync(options, settings => OneTimeRunner.RunAsync(settings, options, cancellationToken)),
                _ => ConfiguredRun.RunAsync(options, settings => DaemonRunner.RunAsync(settings, options, cancellationToken)),
            };
        });
        root.Subcommands.Add(CheckConfigCommand.Create(common));
        root.Subcommands.Add(RenderTemplateCommand.Create(common));
        root.Subcommands.Add(DiffTemplateCommand.Create(common));
        root.Subcommands.Add(HistoryCommand.Create(common));
        root.Subcommands.Add(FleetCommand.Create(common));
        return root;
    }
}
