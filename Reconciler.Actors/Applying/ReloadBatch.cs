using System.Collections.Immutable;
using Reconciler.Actors.Configuration;

namespace Reconciler.Actors.Applying;

/// <summary>
/// Templates that share one reload command and were handed the same change together (several files for one
/// HAProxy): their reload runs once, after every one of them has been checked and written or has said it needs
/// none (consul-template renders every template, then runs the deduplicated commands). Immutable, told apart by
/// identity: the reloader (<c>Pipeline/ReloaderActor</c>) is told it opened and which templates arrived, and holds its
/// reload until all have, or until <see cref="Patience"/> ran out (a template whose renderer died must not hold the
/// others' reload forever).
/// </summary>
public sealed class ReloadBatch(IEnumerable<string> templates, TimeSpan patience)
{
    public ImmutableHashSet<string> Templates { get; } = [.. templates];

    public TimeSpan Patience { get; } = patience;

    /// <summary>
    /// One batch for each reload command that two or more of <paramref name="templates"/> share, by template name; a
    /// template alone with its command (or without one) has none.
    /// </summary>
    public static IReadOnlyDictionary<string, ReloadBatch> For(IEnumerable<TemplateDefinition> templates, TimeSpan patience) =>
        templates
            .Where(t => t.ReloadCommand.Length > 0)
            .GroupBy(t => t.ReloadCommand, StringComparer.Ordinal)
            .Where(group => group.Count() > 1)
            .SelectMany(group =>
            {
                var batch = new ReloadBatch(group.Select(t => t.Name), patience);
                return group.Select(t => KeyValuePair.Create(t.Name, batch));
            })
            .ToDictionary(StringComparer.Ordinal);

    /// <summary>How long a batch waits for a template that does not arrive: a render and a check at their limits, a kill, and a margin.</summary>
    public static TimeSpan PatienceFor(ReconcilerSettings settings) =>
        settings.Templates.Select(t => t.RenderTimeout).DefaultIfEmpty(TimeSpan.Zero).Max() + (2 * settings.CommandTimeout) + TimeSpan.FromSeconds(10);
}
