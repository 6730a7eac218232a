using System.Globalization;
using System.Text;
using Reconciler.Actors.Display;
using Reconciler.Actors.Networks;

namespace Reconciler.Actors.Templates;

/// <summary>
/// Applies a template's <see cref="ValueRules"/> to every key and value its functions hand out, for one render. A key
/// whose name or value has a control character is left out as if it did not exist (one host writing a newline must
/// not add lines to the file, nor stop the other hosts' changes), and recorded in <see cref="Skipped"/>; a value over
/// max-value-bytes holds the whole render back (<see cref="ValueLimitExceededException"/>). Not thread-safe: one per render.
/// </summary>
internal sealed class ValueGuard(ValueRules rules)
{
    private readonly Dictionary<string, SkippedKey> _skipped = new(StringComparer.Ordinal);

    /// <summary>Where an instance may point (allowed-networks, allow-hostnames).</summary>
    public AddressPolicy Addresses => rules.Addresses;

    /// <summary>The keys left out so far, each once, in the order met.</summary>
    public IReadOnlyCollection<SkippedKey> Skipped => _skipped.Values;

    /// <summary>Whether a quick look shows nothing to check further in <paramref name="value"/> (true for almost every value).</summary>
    public bool IsPlainly(string value) =>
        (!rules.RejectControlCharacters || !PrintableText.HasControlCharacter(value)) && value.Length <= rules.MaxValueBytes / 3;

    /// <summary>
    /// True when the template may be handed <paramref name="value"/> (and, unless <paramref name="valueOnly"/>, the key's
    /// name); false when the key is skipped. What is never handed out is not checked: <c>getvs</c> hands out no names.
    /// </summary>
    /// <exception cref="ValueLimitExceededException">The value is longer than max-value-bytes.</exception>
    public bool Admits(string key, string value, bool valueOnly = false)
    {
        if (value.Length > rules.MaxValueBytes / 3 && Encoding.UTF8.GetByteCount(value) is var bytes && bytes > rules.MaxValueBytes)
        {
            throw new ValueLimitExceededException("max-value-bytes", string.Create(
                CultureInfo.InvariantCulture,
                $"the value of {PrintableText.ShortOf(key)} is {bytes} bytes, more than {rules.MaxValueBytes}"));
        }

        if (!rules.RejectControlCharacters)
        {
            return true;
        }

        if (!valueOnly && PrintableText.HasControlCharacter(key))
        {
            Skip(key, "its key has a control character");
            return false;
        }

        if (PrintableText.HasControlCharacter(value))
        {
            Skip(key, "its value has a control character (a newline, say)");
            return false;
        }

        return true;
    }

    /// <summary>Leaves <paramref name="key"/> out for <paramref name="reason"/> (which must not quote the value).</summary>
    public void Skip(string key, string reason) => _skipped.TryAdd(key, new SkippedKey(key, reason));
}
