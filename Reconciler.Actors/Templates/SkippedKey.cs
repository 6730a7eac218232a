using Reconciler.Actors.Display;

namespace Reconciler.Actors.Templates;

/// <summary>
/// A key a render left out: its name or value broke the template's rules (<see cref="ValueGuard"/>, <c>instances</c>).
/// <paramref name="Reason"/> says what is wrong without quoting the value, which may be hostile or secret.
/// </summary>
public sealed record SkippedKey(string Key, string Reason)
{
    /// <summary>The key as it may be logged: a control character in it is shown escaped, so it cannot forge a log line.</summary>
    public string PrintableKey => PrintableText.ShortOf(Key);

    public override string ToString() => $"{PrintableKey} ({Reason})";
}
