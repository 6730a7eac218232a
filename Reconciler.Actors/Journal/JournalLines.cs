namespace Reconciler.Actors.Journal;

/// <summary>
/// The journal's lines read from a stream a buffer at a time, never the whole file at once: each line's bytes
/// (without its newline), or null for a line longer than the cap, which is skipped without being held. A last line
/// without a newline (torn by a kill) is a line too.
/// </summary>
internal static class JournalLines
{
    private const int BufferBytes = 64 * 1024;

    public static IEnumerable<byte[]?> Read(Stream stream, int mostLineBytes)
    {
        var buffer = new byte[BufferBytes];
        using var line = new MemoryStream();
        var over = false;
        var pending = false;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            while (start < read)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                var end = newline < 0 ? read : newline;
                if (!over && line.Length + (end - start) > mostLineBytes)
                {
                    over = true;
                    line.SetLength(0);
                }

                if (!over)
                {
                    line.Write(buffer, start, end - start);
                }

                pending = true;
                if (newline < 0)
                {
                    break;
                }

                yield return over ? null : line.ToArray();
                line.SetLength(0);
                over = false;
                pending = false;
                start = newline + 1;
            }
        }

        if (pending)
        {
            yield return over ? null : line.ToArray();
        }
    }

    /// <summary>The first <paramref name="headBytes"/> bytes of each line (fewer for a shorter one): what a scan needs, whatever the lines' length.</summary>
    public static IEnumerable<byte[]> Heads(Stream stream, int headBytes)
    {
        var buffer = new byte[BufferBytes];
        var head = new List<byte>(headBytes);
        var pending = false;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            while (start < read)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                var end = newline < 0 ? read : newline;
                head.AddRange(buffer.AsSpan(start, Math.Min(end - start, headBytes - head.Count)));
                pending = true;
                if (newline < 0)
                {
                    break;
                }

                yield return [.. head];
                head.Clear();
                pending = false;
                start = newline + 1;
            }
        }

        if (pending)
        {
            yield return [.. head];
        }
    }
}
