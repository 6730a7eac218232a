using System.CommandLine;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Templates;
using Reconciler.Host.Daemon;
using Reconciler.Host.Invocation;
using Reconciler.Host.Logging;

namespace Reconciler.Host.CommandLine;

/// <summary>
/// <c>reconciler render --config FILE TEMPLATE [--revision R]</c>: prints what the template would write now, or
/// would have written at etcd revision R, from one read of the backend.
/// </summary>
internal static class RenderTemplateCommand
{
    public static Command Create(CommonOptions common)
    {
        var template = new Argument<string>("TEMPLATE") { Description = "Name of the template to render (a reconciler.templates entry's name)" };
        var revision = new Option<long?>("--revision") { Description = "Render the keys as they were at this etcd revision (etcd keeps them until compaction)" };
        var command = new Command("render", "Print what TEMPLATE would write for the current keys (or those of --revision) to stdout; writes, checks and reloads nothing")
        {
            template,
            revision,
        };
        common.AddConfigurationTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var options = common.Read(result);
            return ConfiguredRun.RunAsync(options, async settings =>
            {
                var (exitCode, text) = await RenderAsync(settings, options, result.GetValue(template)!, result.GetValue(revision), cancellationToken);
                await Console.Out.WriteAsync(text);
                return exitCode;
            });
        });
        return command;
    }

    /// <summary>What template <paramref name="name"/> renders for the keys now or at <paramref name="revision"/>: the text, or the exit code and nothing (the reason on stderr).</summary>
    public static async Task<(int ExitCode, string? Text)> RenderAsync(ReconcilerSettings settings, RunOptions options, string name, long? revision, CancellationToken cancellationToken)
    {
        if (revision is <= 0)
        {
            await Console.Error.WriteLineAsync($"reconciler: --revision {revision}: an etcd revision is 1 or more");
            return (ExitCodes.BadConfiguration, null);
        }

        await using var services = new ApplyServices(settings);
        var template = TemplateApplier.CreateAll(settings, services).FirstOrDefault(t => t.Definition.Name == name);
        if (template is null)
        {
            var known = string.Join(", ", settings.Templates.Select(t => t.Name));
            await Console.Error.WriteLineAsync($"reconciler: {settings.SourceFile}: no template named {name} (templates: {known})");
            return (ExitCodes.BadConfiguration, null);
        }

        using var loggers = LoggingSetup.CreateFactory(settings, options);
        if (await CurrentState.ReadAsync(settings, loggers.CreateLogger("Reconciler"), cancellationToken, revision) is not { } read)
        {
            return (ExitCodes.Failed, null);
        }

        try
        {
            var text = template.Render(read.State, cancellationToken, out var skipped);
            foreach (var key in skipped)
            {
                await Console.Error.WriteLineAsync($"reconciler: {name} skips key {key.PrintableKey}: {key.Reason}");
            }

            return (ExitCodes.Ok, text);
        }
        catch (TemplateException e)
        {
            await Console.Error.WriteLineAsync($"reconciler: {e.Message}");
            return (ExitCodes.Failed, null);
        }
    }
}
