namespace Reconciler.Actors.Journal;

/// <summary>
/// The journal's lines read from a stream a buffer at a time, never the whole file at once: each line's bytes
/// (without its newline), or null for a line longer than the cap, which is skipped without being held. A last line
/// without a newline (torn by a kill) is a line too.
/// </summary>
internal static class JournalLines
{
    private const int BufferBytes = 64 * 1024;

    public static IEnumerable<byte[]?> Read(Stream stream, int mostLineBytes) => Lines(stream, mostLineBytes, keepHeadOfLonger: false);

    /// <summary>The first <paramref name="headBytes"/> bytes of each line (fewer for a shorter one): what a scan needs, whatever the lines' length.</summary>
    public static IEnumerable<byte[]> Heads(Stream stream, int headBytes) => Lines(stream, headBytes, keepHeadOfLonger: true).Select(head => head!);

    /// <summary>
    /// Each line's bytes, at most <paramref name="most"/> of them held: a longer line gives its first
    /// <paramref name="most"/> bytes (<paramref name="keepHeadOfLonger"/>) or null.
    /// </summary>
    private static IEnumerable<byte[]?> Lines(Stream stream, int most, bool keepHeadOfLonger)
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
                if (!over)
                {
                    var room = most - (int)line.Length;
                    over = end - start > room;
                    if (over && !keepHeadOfLonger)
                    {
                        line.SetLength(0);
                    }
                    else
                    {
                        line.Write(buffer, start, Math.Min(end - start, room));
                    }
                }

                pending = true;
                if (newline < 0)
                {
                    break;
                }

                yield return Line(line, over, keepHeadOfLonger);
                line.SetLength(0);
                over = false;
                pending = false;
                start = newline + 1;
            }
        }

        if (pending)
        {
            yield return Line(line, over, keepHeadOfLonger);
        }
    }

    private static byte[]? Line(MemoryStream line, bool over, bool keepHeadOfLonger) => over && !keepHeadOfLonger ? null : line.ToArray();
}
