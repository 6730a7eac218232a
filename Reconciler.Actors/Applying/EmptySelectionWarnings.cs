using Microsoft.Extensions.Logging;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Applying;

/// <summary>
/// One warning per selection that matches no key, not one per render: said when a render first finds it empty, and
/// again only after it selected keys and then none again. A render that did not run says nothing either way.
/// Not thread-safe: one per template, used by whoever runs its reconciles one at a time.
/// </summary>
internal sealed partial class EmptySelectionWarnings
{
    private HashSet<EmptySelection> _warned = [];

    public void Write(ILogger logger, string template, ReconcileOutcome outcome)
    {
        if (outcome.Status is ReconcileStatus.RenderFailed or ReconcileStatus.HeldBack)
        {
            return;
        }

        foreach (var note in outcome.EmptySelections.Where(n => !_warned.Contains(n.Selection)))
        {
            SelectsNothing(logger, template, note.ToString());
        }

        _warned = [.. outcome.EmptySelections.Select(n => n.Selection)];
    }

    [LoggerMessage(EventId = 45, Level = LogLevel.Warning, Message = "{Template}: {Selection}; the file is written as rendered")]
    private static partial void SelectsNothing(ILogger logger, string template, string selection);
}
