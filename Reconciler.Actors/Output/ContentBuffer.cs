using System.Text;
using Scriban.Runtime;

namespace Reconciler.Actors.Output;

/// <summary>
/// A file's content as UTF-8 bytes (no BOM added) in reusable 64 KiB chunks: a template renders straight
/// into it, and <see cref="Clear"/> keeps the chunks for the next render. A 6 MB config is thus neither
/// copied into one string nor re-allocated per render, and no chunk lands on the large object heap.
/// Not thread-safe.
/// </summary>
public sealed class ContentBuffer : IScriptOutput
{
    internal const int ChunkSize = 64 * 1024;

    // UTF-8 takes at most 4 bytes per character (3 per lone surrogate replaced by U+FFFD)
    private const int MaxBytesPerChar = 4;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly List<byte[]> _chunks = [];

    // keeps a surrogate pair split across two writes together, as one string would
    private readonly Encoder _encoder = Utf8NoBom.GetEncoder();

    /// <summary>The content's length in bytes.</summary>
    public long Length { get; private set; }

    /// <summary>
    /// The most bytes it takes: a write past it throws <see cref="ContentLimitExceededException"/> and lets go of every
    /// chunk, so a runaway template does not keep the memory it grew into.
    /// </summary>
    public long Limit { get; set; } = long.MaxValue;

    public static ContentBuffer From(string text)
    {
        var buffer = new ContentBuffer();
        buffer.Write(text, 0, text.Length);
        buffer.Complete();
        return buffer;
    }

    /// <summary>Empties it, keeping the chunks for reuse.</summary>
    public void Clear()
    {
        Length = 0;
        _encoder.Reset();
    }

    public void Write(string text, int offset, int count)
    {
        // UTF-8 takes at least a byte per UTF-16 unit: a text that cannot fit is refused before it is encoded
        EnsureWithinLimit(Length + count);
        Encode(text.AsSpan(offset, count), flush: false);
        EnsureWithinLimit(Length);
    }

    public ValueTask WriteAsync(string text, int offset, int count, CancellationToken cancellationToken)
    {
        Write(text, offset, count);
        return ValueTask.CompletedTask;
    }

    /// <summary>Ends the text written with <see cref="Write"/>: a high surrogate left waiting becomes U+FFFD, as in a string.</summary>
    public void Complete() => Encode([], flush: true);

    /// <summary>
    /// Replaces the content with <paramref name="stream"/>'s bytes, exactly (a BOM included); false, with the content
    /// cleared, when the stream holds more than <paramref name="maxBytes"/>.
    /// </summary>
    public bool ReadFrom(Stream stream, long maxBytes = long.MaxValue)
    {
        Clear();
        int read;
        while ((read = stream.Read(FreeSpace())) > 0)
        {
            Length += read;
            if (Length > maxBytes)
            {
                Clear();
                return false;
            }
        }

        return true;
    }

    public void WriteTo(Stream stream)
    {
        foreach (var chunk in Chunks())
        {
            stream.Write(chunk.Span);
        }
    }

    /// <summary>True when both hold exactly the same bytes.</summary>
    public bool ContentEquals(ContentBuffer other)
    {
        if (Length != other.Length)
        {
            return false;
        }

        // equal lengths and equal chunk sizes: chunk i of one lines up with chunk i of the other
        using var mine = Chunks().GetEnumerator();
        using var theirs = other.Chunks().GetEnumerator();
        while (mine.MoveNext() && theirs.MoveNext())
        {
            if (!mine.Current.Span.SequenceEqual(theirs.Current.Span))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The content decoded, a BOM kept as U+FEFF; for diffs and tests, it costs a full copy.</summary>
    public override string ToString()
    {
        var bytes = new byte[Length];
        var at = 0;
        foreach (var chunk in Chunks())
        {
            chunk.Span.CopyTo(bytes.AsSpan(at));
            at += chunk.Length;
        }

        return Utf8NoBom.GetString(bytes);
    }

    private void EnsureWithinLimit(long length)
    {
        if (length > Limit)
        {
            Clear();
            _chunks.Clear();
            throw new ContentLimitExceededException(Limit);
        }
    }

    private IEnumerable<ReadOnlyMemory<byte>> Chunks()
    {
        for (var index = 0; index * (long)ChunkSize < Length; index++)
        {
            yield return _chunks[index].AsMemory(0, (int)Math.Min(ChunkSize, Length - (index * (long)ChunkSize)));
        }
    }

    private void Encode(ReadOnlySpan<char> chars, bool flush)
    {
        Span<byte> straddling = stackalloc byte[MaxBytesPerChar * 2];
        var completed = false;
        while (!chars.IsEmpty || (flush && !completed))
        {
            // the encoder needs room for a whole character: near a chunk's end it encodes aside and is copied across
            var free = FreeSpace();
            var aside = free.Length < straddling.Length;
            _encoder.Convert(chars, aside ? straddling : free, flush, out var charsUsed, out var bytesUsed, out completed);
            chars = chars[charsUsed..];
            if (aside)
            {
                Append(straddling[..bytesUsed]);
            }
            else
            {
                Length += bytesUsed;
            }
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var free = FreeSpace();
            var count = Math.Min(free.Length, bytes.Length);
            bytes[..count].CopyTo(free);
            bytes = bytes[count..];
            Length += count;
        }
    }

    /// <summary>The unused rest of the current chunk, a reused or new one when it is full.</summary>
    private Span<byte> FreeSpace()
    {
        var index = (int)(Length / ChunkSize);
        if (index == _chunks.Count)
        {
            _chunks.Add(new byte[ChunkSize]);
        }

        return _chunks[index].AsSpan((int)(Length % ChunkSize));
    }
}
