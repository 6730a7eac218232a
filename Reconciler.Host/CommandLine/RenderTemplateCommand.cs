using System.CommandLine;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Templates;
using Reconciler.Host.Daemon;
using Reconciler.Host.Invocation;
using Reconciler.Host.Logging;

namespace Reconciler.Host.CommandLine;

/// <summary><c>reconciler render --config FILE TEMPLATE</c>: prints what the template would write now, from one read of the backend.</summary>
internal static class RenderTemplateCommand
{
    public static Command Create(CommonOptions common)
    {
        var template = new Argument<string>("TEMPLATE") { Description = "Name of the template to render (a reconciler.templates entry's name)" };
        var command = new Command("render", "Print what TEMPLATE would write for the current keys to stdout; writes, checks and reloads nothing")
        {
            template,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var options = common.Read(result);
            return ConfiguredRun.RunAsync(options, settings => RenderAsync(settings, options, result.GetValue(template)!, cancellationToken));
        });
        return command;
    }

    private static async Task<int> RenderAsync(ReconcilerSettings settings, RunOptions options, string name, CancellationToken cancellationToken)
    {
        await using var services = new ApplyServices(settings);
        var template = TemplateApplier.CreateAll(settings, services).FirstOrDefault(t => t.Definition.Name == name);
        if (template is null)
        {
            var known = string.Join(", ", settings.Templates.Select(t => t.Name));
            await Console.Error.WriteLineAsync($"reconciler: {settings.SourceFile}: no template named {name} (templates: {known})");
            return ExitCodes.BadConfiguration;
        }

        using var loggers = LoggingSetup.CreateFactory(settings, options);
        if (await CurrentState.ReadAsync(settings, loggers.CreateLogger("Reconciler"), cancellationToken) is not { } read)
        {
            return ExitCodes.Failed;
        }

        try
        {
            await Console.Out.WriteAsync(template.Render(read.State, cancellationToken, out var skipped));
            foreach (var key in skipped)
            {
                await Console.Error.WriteLineAsync($"reconciler: {name} skips key {key.PrintableKey}: {key.Reason}");
            }

            return ExitCodes.Ok;
        }
        catch (TemplateException e)
        {
            await Console.Error.WriteLineAsync($"reconciler: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
