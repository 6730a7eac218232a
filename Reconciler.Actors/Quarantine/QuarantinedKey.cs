using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Quarantine;

/// <summary>
/// A key whose change a check refused: the file is applied without it (its last good value kept, or absent if new)
/// until it changes again. <paramref name="Reason"/> is the checker's line (HAProxy's <c>[ALERT]</c>), escaped.
/// </summary>
public sealed record QuarantinedKey(string Key, string Reason)
{
    /// <summary>Longest key name shown: a registrant chooses the name, and a 1 MB one must not make a 1 MB log line.</summary>
    public const int MostKeyChars = 256;

    /// <summary>The key as it may be logged: cut to <see cref="MostKeyChars"/>, a control character in it escaped.</summary>
    public string PrintableKey => PrintableText.Of(Key.Length <= MostKeyChars ? Key : string.Concat(Key.AsSpan(0, MostKeyChars), "…"));

    public override string ToString() => $"{PrintableKey} ({Reason})";
}
