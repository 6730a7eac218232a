using System.Text;
using Reconciler.Actors.Display;

namespace Reconciler.Actors.State;

/// <summary>
/// What the daemon keeps of the registry at all (reconciler.backend's max-key-bytes, max-value-bytes,
/// max-prefix-bytes): a key over them is not stored, so no registrant can grow the daemon's memory past them.
/// Sizes are UTF-8 bytes, as etcd counts them; a stored key costs its name's bytes plus its value's.
/// </summary>
public sealed record KeyLimits(int MaxKeyBytes, int MaxValueBytes, long MaxPrefixBytes)
{
    /// <summary>reference.conf's defaults.</summary>
    public static readonly KeyLimits Default = new(4 * 1024, 1024 * 1024, 32L * 1024 * 1024);

    /// <summary>No limit: for tests and tools that read what is there, whatever its size.</summary>
    public static readonly KeyLimits None = new(int.MaxValue, int.MaxValue, long.MaxValue);

    /// <summary>Why a key of these sizes is not stored, whatever else is stored; null when it may be.</summary>
    public KeyRefusal? Refuses(string key, string value) =>
        Refuses(key.Length > MaxKeyBytes / 3 ? Encoding.UTF8.GetByteCount(key) : key.Length, value.Length > MaxValueBytes / 3 ? Encoding.UTF8.GetByteCount(value) : value.Length, () => PrintableText.ShortOf(key));

    /// <summary><see cref="Refuses(string, string)"/> of a key still in UTF-8: only a refused name is decoded, and only what is shown of it.</summary>
    public KeyRefusal? Refuses(ReadOnlySpan<byte> key, long valueBytes)
    {
        if (key.Length <= MaxKeyBytes && valueBytes <= MaxValueBytes)
        {
            return null;
        }

        var shown = PrintableText.ShortOf(key);
        return Refuses(key.Length, valueBytes, () => shown);
    }

    /// <summary>Why a key is not stored: it would take its prefix to <paramref name="wouldHold"/> bytes, past max-prefix-bytes.</summary>
    public KeyRefusal OverPrefix(string key, long wouldHold) => new(PrintableText.ShortOf(key), RefusalReason.PrefixBytes, wouldHold, MaxPrefixBytes);

    /// <summary><see cref="OverPrefix(string, long)"/> of a key still in UTF-8.</summary>
    public KeyRefusal OverPrefix(ReadOnlySpan<byte> key, long wouldHold) => new(PrintableText.ShortOf(key), RefusalReason.PrefixBytes, wouldHold, MaxPrefixBytes);

    private KeyRefusal? Refuses(long keyBytes, long valueBytes, Func<string> shownKey) =>
        keyBytes > MaxKeyBytes ? new KeyRefusal(shownKey(), RefusalReason.KeyBytes, keyBytes, MaxKeyBytes)
        : valueBytes > MaxValueBytes ? new KeyRefusal(shownKey(), RefusalReason.ValueBytes, valueBytes, MaxValueBytes)
        : null;

    /// <summary>What a stored key costs against max-prefix-bytes.</summary>
    public static long SizeOf(string key, string value) => Encoding.UTF8.GetByteCount(key) + (long)Encoding.UTF8.GetByteCount(value);
}
