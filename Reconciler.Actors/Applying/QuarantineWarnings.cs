using Microsoft.Extensions.Logging;
using Reconciler.Actors.Quarantine;

namespace Reconciler.Actors.Applying;

/// <summary>
/// One warning when a key is quarantined and one line when it is retried, not one per apply while it stays held.
/// Not thread-safe: one per template, used by whoever runs its reconciles one at a time.
/// </summary>
internal sealed partial class QuarantineWarnings
{
    // by reference: a key quarantined again (another refused value) is a new entry, said again
    private HashSet<QuarantinedKey> _said = new(ReferenceEqualityComparer.Instance);

    public void Write(ILogger logger, string template, IReadOnlyCollection<QuarantinedKey> held)
    {
        var now = new HashSet<QuarantinedKey>(held, ReferenceEqualityComparer.Instance);
        foreach (var key in _said.Where(k => !now.Contains(k)))
        {
            Retried(logger, template, key.PrintableKey);
        }

        foreach (var key in held.Where(k => !_said.Contains(k)))
        {
            Quarantined(logger, template, key.PrintableKey, key.Reason);
        }

        _said = now;
    }

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "{Template} quarantines key {Key}: the check refused its change ({Reason}); the file is applied without it, which keeps its last good value (or stays out, if new) until the key changes again")]
    private static partial void Quarantined(ILogger logger, string template, string key, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "{Template} retries quarantined key {Key}: it changed again")]
    private static partial void Retried(ILogger logger, string template, string key);
}
