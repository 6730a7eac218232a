using Reconciler.Actors.Display;

namespace Reconciler.Actors.Quarantine;

/// <summary>
/// A key whose change a check refused: the file is applied without it (its last good value kept, or absent if new)
/// until it changes again. <paramref name="Reason"/> is the checker's line (HAProxy's <c>[ALERT]</c>), escaped.
/// </summary>
public sealed record QuarantinedKey(string Key, string Reason)
{
    /// <summary>
    /// The key as it may be logged or shown: cut short with its size (a registrant chooses the name, and a 1 MB one
    /// must not make a 1 MB log line) and escaped, as every registry key is.
    /// </summary>
    public string PrintableKey => PrintableText.ShortOf(Key);

    public override string ToString() => $"{PrintableKey} ({Reason})";
}
