using System.CommandLine;
using Reconciler.Actors.Display;
using Reconciler.Actors.Rendering;
using Reconciler.Host.Invocation;

namespace Reconciler.Host.CommandLine;

/// <summary>
/// <c>reconciler diff --config FILE TEMPLATE --from R1 [--to R2]</c>: the unified diff between the template's
/// renders at two etcd revisions (R2 omitted: now), "what exactly did revision R change" for a journal entry.
/// </summary>
internal static class DiffTemplateCommand
{
    public static Command Create(CommonOptions common)
    {
        var template = new Argument<string>("TEMPLATE") { Description = "Name of the template to render (a reconciler.templates entry's name)" };
        var from = new Option<long>("--from") { Description = "The etcd revision of the old render", Required = true };
        var to = new Option<long?>("--to") { Description = "The etcd revision of the new render (default: now)" };
        var command = new Command("diff", "Print the unified diff between TEMPLATE's renders at two etcd revisions; writes, checks and reloads nothing")
        {
            template,
            from,
            to,
        };
        common.AddConfigurationTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var options = common.Read(result);
            var name = result.GetValue(template)!;
            return ConfiguredRun.RunAsync(options, async settings =>
            {
                var (fromRevision, toRevision) = (result.GetValue(from), result.GetValue(to));
                var (oldCode, old) = await RenderTemplateCommand.RenderAsync(settings, options, name, fromRevision, cancellationToken);
                if (old is null)
                {
                    return oldCode;
                }

                var (newCode, @new) = await RenderTemplateCommand.RenderAsync(settings, options, name, toRevision, cancellationToken);
                if (@new is null)
                {
                    return newCode;
                }

                // for a terminal: a value's bidi or zero-width characters shown, tabs kept
                await Console.Out.WriteAsync(PrintableText.OfLines(UnifiedDiff.Between(old, @new, $"{name}@{fromRevision}", toRevision is { } r ? $"{name}@{r}" : $"{name}@now")));
                return ExitCodes.Ok;
            });
        });
        return command;
    }
}
