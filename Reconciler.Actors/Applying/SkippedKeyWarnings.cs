using Microsoft.Extensions.Logging;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Applying;

/// <summary>
/// One warning per skipped key, not one per render: a hostile or broken registration is named once when a render
/// first leaves it out (or leaves it out for another reason), and again only after it was fixed and broke again.
/// Not thread-safe: one per template, used by whoever runs its reconciles one at a time.
/// </summary>
internal sealed partial class SkippedKeyWarnings
{
    private HashSet<SkippedKey> _warned = [];

    public void Write(ILogger logger, string template, IReadOnlyCollection<SkippedKey> skipped)
    {
        foreach (var key in skipped.Where(k => !_warned.Contains(k)))
        {
            Skipped(logger, template, key.PrintableKey, key.Reason);
        }

        _warned = [.. skipped];
    }

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "{Template} skips key {Key}: {Reason}; the other keys render")]
    private static partial void Skipped(ILogger logger, string template, string key, string reason);
}
