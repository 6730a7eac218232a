namespace Reconciler.Actors.State;

/// <summary>
/// The bytes stored under each watched prefix, against max-prefix-bytes: a put that would take its prefix past it is
/// refused (the keys already stored stay; first come, first kept). Not thread-safe.
/// </summary>
internal sealed class PrefixBudget(long maxPrefixBytes)
{
    private readonly Dictionary<KeyPrefix, long> _bytes = [];

    public long BytesUnder(KeyPrefix prefix) => _bytes.GetValueOrDefault(prefix);

    /// <summary>
    /// Stores a key of <paramref name="newBytes"/> under <paramref name="prefix"/> in place of what it held
    /// (<paramref name="oldBytes"/>, 0 for none), or refuses it: then the key holds nothing any more (a put over the
    /// limit of a stored key removes it, so the state never keeps a value the registry no longer has).
    /// </summary>
    /// <returns>The bytes the prefix would have held with it when refused; null when stored.</returns>
    public long? Put(KeyPrefix prefix, long oldBytes, long newBytes)
    {
        var without = BytesUnder(prefix) - oldBytes;
        if (without + newBytes > maxPrefixBytes)
        {
            _bytes[prefix] = without;
            return without + newBytes;
        }

        _bytes[prefix] = without + newBytes;
        return null;
    }

    public void Remove(KeyPrefix prefix, long oldBytes) => _bytes[prefix] = BytesUnder(prefix) - oldBytes;

    public void Clear() => _bytes.Clear();
}
