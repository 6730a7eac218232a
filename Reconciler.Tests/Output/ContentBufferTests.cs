using System.Text;
using Reconciler.Actors.Output;

namespace Reconciler.Tests.Output;

public sealed class ContentBufferTests
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    [Fact]
    public void Holds_the_utf8_bytes_of_what_was_written_across_chunks()
    {
        // 3-byte characters that straddle the 64 KiB chunk boundaries
        var text = string.Concat(Enumerable.Repeat("server é € 😀 10.0.0.1:80\n", 10_000));
        var buffer = new ContentBuffer();

        foreach (var line in text.Split('\n'))
        {
            buffer.Write(line + "\n", 0, line.Length + 1);
        }

        buffer.Complete();

        var expected = Utf8NoBom.GetBytes(text + "\n");
        Assert.True(expected.Length > 3 * ContentBuffer.ChunkSize);
        Assert.Equal(expected.Length, buffer.Length);
        Assert.Equal(expected, BytesOf(buffer));
        Assert.Equal(text + "\n", buffer.ToString());
    }

    [Fact]
    public void A_surrogate_pair_split_across_writes_stays_one_character()
    {
        var buffer = new ContentBuffer();

        buffer.Write("😀", 0, 1);
        buffer.Write("😀", 1, 1);
        buffer.Complete();

        Assert.Equal(Utf8NoBom.GetBytes("😀"), BytesOf(buffer));
    }

    [Fact]
    public void A_lone_high_surrogate_at_the_end_becomes_a_replacement_character_as_in_a_string()
    {
        var buffer = ContentBuffer.From("a\ud83d");

        Assert.Equal(Utf8NoBom.GetBytes("a\ud83d"), BytesOf(buffer));
    }

    [Fact]
    public void Clear_empties_it_for_reuse()
    {
        var buffer = ContentBuffer.From(new string('x', 200_000));

        buffer.Clear();
        buffer.Write("short", 0, 5);
        buffer.Complete();

        Assert.Equal("short", buffer.ToString());
        Assert.True(buffer.ContentEquals(ContentBuffer.From("short")));
    }

    [Fact]
    public void ContentEquals_compares_every_byte()
    {
        var text = new string('x', 150_000);
        var changedLate = string.Concat(text.AsSpan(0, 149_999), "y");

        Assert.True(ContentBuffer.From(text).ContentEquals(ContentBuffer.From(text)));
        Assert.False(ContentBuffer.From(text).ContentEquals(ContentBuffer.From(changedLate)));
        Assert.False(ContentBuffer.From(text).ContentEquals(ContentBuffer.From(text + "x")));
        Assert.True(new ContentBuffer().ContentEquals(ContentBuffer.From("")));
    }

    [Fact]
    public void ReadFrom_takes_a_streams_bytes_exactly_a_byte_order_mark_included()
    {
        var bytes = Utf8NoBom.GetPreamble().Concat(new UTF8Encoding(true).GetPreamble()).Concat(Encoding.UTF8.GetBytes(new string('é', 100_000))).ToArray();
        var buffer = ContentBuffer.From("held before");

        buffer.ReadFrom(new MemoryStream(bytes));

        Assert.Equal(bytes, BytesOf(buffer));
        Assert.StartsWith("\ufeff", buffer.ToString(), StringComparison.Ordinal);
        Assert.False(buffer.ContentEquals(ContentBuffer.From(new string('é', 100_000))));
    }

    private static byte[] BytesOf(ContentBuffer buffer)
    {
        var stream = new MemoryStream();
        buffer.WriteTo(stream);
        return stream.ToArray();
    }
}
