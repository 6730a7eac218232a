using System.Buffers;
using System.Text;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Templates;

/// <summary>
/// A key pattern for confd's <c>getvs</c>/<c>gets</c>, with Go's <c>path.Match</c> semantics so confd
/// templates keep their meaning: <c>*</c> matches any run of non-'/' characters, <c>?</c> one non-'/'
/// character, <c>[a-z]</c>/<c>[^a-z]</c> a character class, and <c>\</c> escapes the next character.
/// The whole key must match, so <c>/apps/x/*</c> matches <c>/apps/x/a</c> but not <c>/apps/x/a/b</c>.
/// </summary>
internal sealed class KeyPattern
{
    private readonly bool isLiteral;

    /// <exception cref="FormatException">The pattern is malformed (Go's <c>ErrBadPattern</c>).</exception>
    public KeyPattern(string pattern)
    {
        if (!IsWellFormed(pattern))
        {
            throw new FormatException($"syntax error in pattern: {pattern}");
        }

        Pattern = pattern;
        (LiteralPrefix, isLiteral) = ReadLiteralPrefix(pattern);
    }

    public string Pattern { get; }

    /// <summary>The unescaped text before the first wildcard: every matching key starts with it.</summary>
    public string LiteralPrefix { get; }

    public bool IsMatch(string key) => Match(Pattern, key);

    /// <summary>The entries of <paramref name="state"/> whose key matches, in ordinal key order.</summary>
    public IEnumerable<KeyValuePair<string, string>> Matches(DesiredState state)
    {
        if (isLiteral)
        {
            return state.TryGetValue(LiteralPrefix, out var value) ? [KeyValuePair.Create(LiteralPrefix, value)] : [];
        }

        // Only keys starting with the literal prefix can match: narrow to that run before globbing.
        return state.StartingWith(LiteralPrefix).Where(entry => IsMatch(entry.Key));
    }

    /// <summary>The values of the matching entries of <paramref name="state"/>, in ordinal value order; a shared array, not to be changed.</summary>
    public IReadOnlyList<string> SortedValues(DesiredState state)
    {
        if (isLiteral)
        {
            return state.TryGetValue(LiteralPrefix, out var value) ? [value] : [];
        }

        // Named by the pattern text: each state keeps the sorted values per pattern and derives the next state's.
        return state.SortedValues(Pattern, LiteralPrefix, IsMatch);
    }

    public override string ToString() => Pattern;

    private static (string Prefix, bool IsWholePattern) ReadLiteralPrefix(string pattern)
    {
        var prefix = new StringBuilder(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c is '*' or '?' or '[')
            {
                return (prefix.ToString(), false);
            }

            if (c == '\\')
            {
                // A well-formed pattern never ends in a lone backslash.
                c = pattern[++i];
            }

            prefix.Append(c);
        }

        return (prefix.ToString(), true);
    }

    // The rest is a port of Go's path.Match (scanChunk/matchChunk/getEsc) so edge cases agree with confd.
    // Go reports a malformed pattern lazily while matching; here the constructor validates up front,
    // so matching ignores the well-formedness result.
    private static bool IsWellFormed(ReadOnlySpan<char> pattern)
    {
        while (!pattern.IsEmpty)
        {
            ScanChunk(ref pattern, out var chunk);
            if (!TryMatchChunk(chunk, [], out _, out _))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        while (!pattern.IsEmpty)
        {
            var star = ScanChunk(ref pattern, out var chunk);
            if (star && chunk.IsEmpty)
            {
                // A trailing star matches the rest of the name unless it crosses a '/'.
                return !name.Contains('/');
            }

            // On the last chunk a match must use up the name; otherwise a star may still do better.
            TryMatchChunk(chunk, name, out var matched, out var rest);
            if (matched && (rest.IsEmpty || !pattern.IsEmpty))
            {
                name = rest;
                continue;
            }

            if (!star || !TryMatchAfterStar(chunk, isLastChunk: pattern.IsEmpty, ref name))
            {
                return false;
            }
        }

        return name.IsEmpty;
    }

    /// <summary>Lets the star swallow 1, 2, … characters (never a '/') until <paramref name="chunk"/> matches.</summary>
    private static bool TryMatchAfterStar(ReadOnlySpan<char> chunk, bool isLastChunk, scoped ref ReadOnlySpan<char> name)
    {
        for (var i = 0; i < name.Length && name[i] != '/'; i++)
        {
            TryMatchChunk(chunk, name[(i + 1)..], out var matched, out var rest);
            if (matched && !(isLastChunk && !rest.IsEmpty))
            {
                name = rest;
                return true;
            }
        }

        return false;
    }

    /// <summary>Splits off the leading stars and the text up to the next star outside a class.</summary>
    private static bool ScanChunk(scoped ref ReadOnlySpan<char> pattern, out ReadOnlySpan<char> chunk)
    {
        var star = false;
        while (!pattern.IsEmpty && pattern[0] == '*')
        {
            pattern = pattern[1..];
            star = true;
        }

        var inClass = false;
        var i = 0;
        for (; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                i++;
            }
            else if (pattern[i] == '[')
            {
                inClass = true;
            }
            else if (pattern[i] == ']')
            {
                inClass = false;
            }
            else if (pattern[i] == '*' && !inClass)
            {
                break;
            }
        }

        chunk = pattern[..i];
        pattern = pattern[i..];
        return star;
    }

    /// <summary>
    /// Matches <paramref name="chunk"/> (no stars) against the start of <paramref name="name"/>.
    /// Returns false only for a malformed chunk; like Go it keeps parsing after a mismatch so that
    /// matching against an empty name validates the whole chunk.
    /// </summary>
    private static bool TryMatchChunk(ReadOnlySpan<char> chunk, ReadOnlySpan<char> name, out bool matched, out ReadOnlySpan<char> rest)
    {
        matched = false;
        rest = default;
        var failed = false;
        while (!chunk.IsEmpty)
        {
            failed |= name.IsEmpty;
            switch (chunk[0])
            {
                case '[':
                    var rune = failed ? -1 : ReadRune(ref name);
                    chunk = chunk[1..];
                    if (!TryMatchClass(ref chunk, rune, out var inClass))
                    {
                        return false;
                    }

                    failed |= !inClass;
                    break;
                case '?':
                    if (!failed)
                    {
                        failed = name[0] == '/';
                        ReadRune(ref name);
                    }

                    chunk = chunk[1..];
                    break;
                case '\\':
                    chunk = chunk[1..];
                    if (chunk.IsEmpty)
                    {
                        return false;
                    }

                    goto default;
                default:
                    if (!failed)
                    {
                        failed = chunk[0] != name[0];
                        name = name[1..];
                    }

                    chunk = chunk[1..];
                    break;
            }
        }

        matched = !failed;
        rest = failed ? default : name;
        return true;
    }

    /// <summary>Reads a class body after '[' up to and including ']'; false when it is malformed.</summary>
    private static bool TryMatchClass(ref ReadOnlySpan<char> chunk, int rune, out bool matched)
    {
        var negated = !chunk.IsEmpty && chunk[0] == '^';
        if (negated)
        {
            chunk = chunk[1..];
        }

        var inRange = false;
        for (var ranges = 0; chunk.IsEmpty || chunk[0] != ']' || ranges == 0; ranges++)
        {
            if (!TryReadClassChar(ref chunk, out var low))
            {
                matched = false;
                return false;
            }

            var high = low;
            if (chunk[0] == '-')
            {
                chunk = chunk[1..];
                if (!TryReadClassChar(ref chunk, out high))
                {
                    matched = false;
                    return false;
                }
            }

            inRange |= low <= rune && rune <= high;
        }

        chunk = chunk[1..];
        matched = inRange != negated;
        return true;
    }

    /// <summary>One possibly escaped class character; Go's getEsc, including "must not end the pattern".</summary>
    private static bool TryReadClassChar(ref ReadOnlySpan<char> chunk, out int rune)
    {
        rune = 0;
        if (chunk.IsEmpty || chunk[0] is '-' or ']')
        {
            return false;
        }

        if (chunk[0] == '\\')
        {
            chunk = chunk[1..];
            if (chunk.IsEmpty)
            {
                return false;
            }
        }

        if (Rune.DecodeFromUtf16(chunk, out var decoded, out var length) != OperationStatus.Done)
        {
            return false;
        }

        rune = decoded.Value;
        chunk = chunk[length..];
        return !chunk.IsEmpty;
    }

    /// <summary>Consumes one code point (a surrogate pair counts as one, as a UTF-8 rune does in Go).</summary>
    private static int ReadRune(ref ReadOnlySpan<char> name)
    {
        Rune.DecodeFromUtf16(name, out var rune, out var length);
        name = name[length..];
        return rune.Value;
    }
}
