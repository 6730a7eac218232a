using Microsoft.Extensions.Logging;
using Reconciler.Actors.Display;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// One warning per refused key (<see cref="KeyLimits"/>), not one per put: a key is named once when it is first refused,
/// and again only after it was stored or deleted since. Remembers at most <see cref="MostRemembered"/> names (a flood
/// of refused keys costs no more memory than that): past it, one line says the others are counted, not named. Not
/// thread-safe: the state actor's.
/// </summary>
internal sealed partial class RefusedKeyWarnings
{
    public const int MostRemembered = 1000;

    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private bool _saidUnnamed;

    public void Write(ILogger logger, RefusalTally refused)
    {
        foreach (var refusal in refused.Named)
        {
            if (_warned.Count >= MostRemembered)
            {
                SayUnnamed(logger);
                return;
            }

            if (_warned.Add(refusal.ShownKey))
            {
                Refused(logger, refusal.ShownKey, refusal.Why);
            }
        }

        if (refused.Count > refused.Named.Count)
        {
            SayUnnamed(logger);
        }
    }

    /// <summary>Keys stored or deleted: refused again, they are named again.</summary>
    public void Forget(IEnumerable<KeyEvent> events)
    {
        if (_warned.Count == 0)
        {
            return;
        }

        foreach (var e in events.Where(e => e.Kind != KeyEventKind.Refused))
        {
            _warned.Remove(PrintableText.ShortOf(e.Key));
        }

        _saidUnnamed &= _warned.Count >= MostRemembered / 2;
    }

    /// <summary>After a full read: only the keys it refused are still refused.</summary>
    public void Keep(RefusalTally refused)
    {
        _warned.IntersectWith(refused.Named.Select(r => r.ShownKey));
        _saidUnnamed &= refused.Count > refused.Named.Count;
    }

    private void SayUnnamed(ILogger logger)
    {
        if (!_saidUnnamed)
        {
            _saidUnnamed = true;
            TooManyToName(logger);
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Key {Key} is not stored: {Reason}; no template sees it")]
    private static partial void Refused(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "More keys are refused than are named here: the others are counted in reconciler_refused_keys_total")]
    private static partial void TooManyToName(ILogger logger);
}
