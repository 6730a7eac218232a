using System.Diagnostics;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Output;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Rendering;

/// <summary>
/// Render → compare with the live file → stage → check-cmd → replace, for one template.
/// Plain class: the renderer actor runs it off its mailbox thread, <c>--onetime</c> calls it directly.
/// Not thread-safe; one reconcile at a time.
/// </summary>
public sealed class TemplateReconciler(
    TemplateDefinition definition,
    CompiledTemplate template,
    AtomicFileWriter writer,
    CommandRunner commands,
    TimeSpan commandTimeout)
{
    private readonly IReadOnlyDictionary<string, object?> _variables =
        definition.Variables.ToDictionary(kv => kv.Key, kv => (object?)kv.Value);

    private readonly LiveFileCache _live = new(definition.Dest);

    public TemplateDefinition Definition => definition;

    /// <summary>Parses every template of the configuration (a broken one throws <see cref="TemplateException"/>).</summary>
    public static IReadOnlyList<TemplateReconciler> CreateAll(ReconcilerSettings settings)
    {
        var writer = new AtomicFileWriter();
        var commands = new CommandRunner();
        return [.. settings.Templates.Select(t => new TemplateReconciler(t, CompiledTemplate.Load(t.Src, t.Syntax, t.KeyPrefix), writer, commands, settings.CommandTimeout))];
    }

    /// <summary>Renders <paramref name="state"/>; when the output differs from dest, checks it and replaces dest.</summary>
    public async Task<ReconcileOutcome> ReconcileAsync(DesiredState state, StateChange change, CancellationToken cancellationToken)
    {
        var outcome = new ReconcileOutcome(definition.Name, definition.Dest, state.Revision, change, ReconcileStatus.Unchanged, 0, TimeSpan.Zero, null, null);
        var watch = Stopwatch.StartNew();
        string content;
        try
        {
            content = template.Render(state, _variables, cancellationToken);
        }
        catch (TemplateException e)
        {
            return outcome with { Status = ReconcileStatus.RenderFailed, RenderTime = watch.Elapsed, Error = e.Message };
        }

        outcome = outcome with { Bytes = System.Text.Encoding.UTF8.GetByteCount(content), RenderTime = watch.Elapsed };
        try
        {
            return _live.Holds(content) ? outcome : await ReplaceAsync(content, outcome, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            return outcome with { Status = ReconcileStatus.WriteFailed, Error = e.Message };
        }
    }

    /// <summary>The output the template would produce now, for <c>render</c> and <c>--noop</c>.</summary>
    public string Render(DesiredState state, CancellationToken cancellationToken) => template.Render(state, _variables, cancellationToken);

    private async Task<ReconcileOutcome> ReplaceAsync(string content, ReconcileOutcome outcome, CancellationToken cancellationToken)
    {
        using var staged = writer.Stage(definition.Dest, content);
        if (definition.CheckCommand.Length > 0)
        {
            var check = await commands.RunAsync(CheckCommand.WithSource(definition.CheckCommand, staged.Path), commandTimeout, cancellationToken);
            outcome = outcome with { Check = check };
            if (!check.Succeeded)
            {
                return outcome with { Status = ReconcileStatus.CheckFailed, Error = check.Summary };
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        writer.Commit(staged, definition.Mode, definition.Owner, definition.Group);
        _live.Wrote(content);
        return outcome with { Status = ReconcileStatus.Written };
    }
}
