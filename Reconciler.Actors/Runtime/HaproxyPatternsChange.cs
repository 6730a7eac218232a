using System.Collections.Immutable;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// A map or ACL file's new entries (<see cref="Patterns"/>, all of them: the transaction replaces the whole set),
/// what changed against the old file (<see cref="Added"/>, <see cref="Changed"/>, <see cref="Removed"/> keys, and
/// <see cref="Reordered"/>: the same entries in another order, where the first match may differ), and
/// the batches that carry them to the socket: a map's as payloads of <c>add map @V</c>, an ACL's as <c>add acl @V</c>
/// commands on one line (HAProxy 2.6 takes no payload for ACLs), each batch at most <see cref="BatchBytes"/>.
/// </summary>
public sealed record HaproxyPatternsChange(bool IsMap, string Name, ImmutableArray<HaproxyPattern> Patterns, int Added, int Changed, int Removed, bool Reordered, string? Refusal) : RuntimeChange
{
    /// <summary>
    /// HAProxy reads a command with its payload into one buffer (tune.bufsize, 16384 by default) and drops one that
    /// does not fit without a word; half of it leaves room for the command and a smaller bufsize.
    /// </summary>
    public const int BatchBytes = 8000;

    public override string? Refusal { get; } = Refusal;

    /// <summary>Whether the entries HAProxy would load differ at all (a comment or a blank line does not count).</summary>
    public bool ChangesPatterns => Added + Changed + Removed > 0 || Reordered;

    /// <summary>prepare, the batches, commit; nothing when the patterns stay the same.</summary>
    public override int CommandCount => ChangesPatterns ? Batches().Count() + 2 : 0;

    public static HaproxyPatternsChange Between(string live, string rendered, bool isMap, string name)
    {
        var old = HaproxyPatternFile.Read(live, isMap);
        var @new = HaproxyPatternFile.Read(rendered, isMap);
        var (added, changed, removed) = Count(old, @new);
        var reordered = added + changed + removed == 0 && !old.SequenceEqual(@new);
        var refusal = HaproxyCliWord.IsSafe(name)
            ? HaproxyPatternFile.Unreadable(rendered) ?? @new.Select(p => Unsendable(p, isMap)).FirstOrDefault(r => r is not null)
            : $"{name} cannot be sent to the admin socket as one word";
        return new HaproxyPatternsChange(isMap, name, @new, added, changed, removed, reordered, refusal);
    }

    /// <summary>The patterns in batches of at most <see cref="BatchBytes"/>: payload lines for a map, single patterns for an ACL.</summary>
    public IEnumerable<IReadOnlyList<string>> Batches()
    {
        var batch = new List<string>();
        var bytes = 0;
        foreach (var pattern in Patterns)
        {
            var line = IsMap ? pattern.ToString() : pattern.Key;
            // a payload line and its newline; or "add acl @V <name> <pattern>; " with the longest version number
            var cost = IsMap ? line.Length + 1 : $"add acl @{uint.MaxValue} {Name} {line}; ".Length;
            if (batch.Count > 0 && bytes + cost > BatchBytes)
            {
                yield return batch;
                batch = [];
                bytes = 0;
            }

            batch.Add(line);
            bytes += cost;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    /// <summary>Entries by key: a key the new file gains, one whose values differ, one it loses (duplicates compared as their lists).</summary>
    private static (int Added, int Changed, int Removed) Count(ImmutableArray<HaproxyPattern> old, ImmutableArray<HaproxyPattern> @new)
    {
        var before = old.ToLookup(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var after = @new.ToLookup(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var added = after.Count(g => !before.Contains(g.Key));
        var removed = before.Count(g => !after.Contains(g.Key));
        var changed = after.Count(g => before.Contains(g.Key) && !before[g.Key].SequenceEqual(g));
        return (added, changed, removed);
    }

    /// <summary>Why <paramref name="pattern"/> cannot reach HAProxy over the socket exactly as the file gives it; null when it can.</summary>
    private static string? Unsendable(HaproxyPattern pattern, bool isMap)
    {
        if (isMap)
        {
            // a payload line is "key value": a key needs a value after it, and neither may hold what ends a line
            return pattern.Value!.Length == 0 ? $"map key {Printable(pattern.Key)} has no value, which 'add map' cannot send"
                : !IsText(pattern.Key) || !IsText(pattern.Value) ? $"map entry {Printable(pattern.Key)} is not printable ASCII"
                : pattern.Key.Length + pattern.Value.Length + 1 > BatchBytes ? $"map entry {Printable(pattern.Key)} is longer than one batch ({BatchBytes} bytes)"
                : null;
        }

        // an ACL pattern is a word of an 'add acl' command: the CLI would split it at a space or read a ';' as the next command
        return !HaproxyCliWord.IsSafe(pattern.Key) ? $"ACL pattern {Printable(pattern.Key)} cannot be sent to the admin socket as one word"
            : pattern.Key.Length > BatchBytes / 2 ? $"ACL pattern {Printable(pattern.Key)} is longer than one command may be ({BatchBytes / 2} bytes)"
            : null;
    }

    private static bool IsText(string text) => text.All(c => c is (>= ' ' and <= '~') or '\t');

    private static string Printable(string text) => HaproxyCliWord.Printable(text.Length > 64 ? text[..64] + "..." : text);
}
