using System.Diagnostics;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Output;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Rendering;

/// <summary>
/// Renders one template's file from a state, within its guards: too many keys (max-keys) or too few (the shrink
/// guard, against the last render that was applied) hold the render back before it starts; the template's limits
/// and value rules bound it while it runs. Not thread-safe: its applier renders one state at a time.
/// </summary>
internal sealed class TemplateRender(TemplateDefinition definition, CompiledTemplate template)
{
    private readonly IReadOnlyDictionary<string, object?> _variables =
        definition.Variables.ToDictionary(kv => kv.Key, kv => (object?)kv.Value);

    private readonly RenderLimits _limits = definition.RenderLimits;
    private int? _lastAppliedEntries;

    public CompiledTemplate Template => template;

    /// <summary>Renders <paramref name="state"/> into <paramref name="output"/>.</summary>
    /// <param name="cancellationToken">Cancelled: an <see cref="OperationCanceledException"/> (shutdown, or the render abandoned).</param>
    public RenderResult Render(DesiredState state, ContentBuffer output, CancellationToken cancellationToken)
    {
        var entries = definition.Keys.Sum(prefix => state.CountUnder(prefix.Value)); // a binary search per prefix
        if (HoldBackReason(entries) is { } reason)
        {
            return new RenderResult(Rendered: false, HeldBack: true, reason, TimeSpan.Zero, entries);
        }

        var watch = Stopwatch.StartNew();
        try
        {
            var findings = template.Render(state, _variables, output, _limits, cancellationToken);
            return new RenderResult(Rendered: true, HeldBack: false, null, watch.Elapsed, entries)
            {
                Skipped = [.. findings.Skipped],
                EmptySelections = [.. EmptySelectionNote.Of(findings.EmptySelections, template.FilePath, definition.Keys, state, entries)],
            };
        }
        catch (TemplateException e)
        {
            return new RenderResult(Rendered: false, e.HeldBack, e.Message, watch.Elapsed, entries) { WorthRetrying = !e.LimitExceeded };
        }
    }

    /// <summary>The file a render of <paramref name="entries"/> keys produced is what the service runs: the shrink guard's baseline.</summary>
    public void Applied(int entries) => _lastAppliedEntries = entries;

    /// <summary>Too many keys (max-keys, a flooded prefix) or too few (the shrink guard, a wiped one): why not to render.</summary>
    private string? HoldBackReason(int entries) =>
        entries > definition.MaxKeys
            ? $"max-keys: {entries} keys under {string.Join(", ", definition.Keys)}, more than {definition.MaxKeys}"
            : definition.ShrinkGuard.Violation(entries, _lastAppliedEntries);
}
