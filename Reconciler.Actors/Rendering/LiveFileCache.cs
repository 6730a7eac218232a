using System.Text;

namespace Reconciler.Actors.Rendering;

/// <summary>
/// Remembers what was last written to dest so an unchanged render is detected without re-reading
/// the file; a file changed behind our back (other size or mtime) is read again.
/// </summary>
internal sealed class LiveFileCache(string path)
{
    private string? _content;
    private long _length = -1;
    private DateTime _modified;

    /// <summary>The live content as last seen or written; null when unknown or there is no file.</summary>
    public string? Content => _content;

    public bool Holds(string content)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            _content = null;
            _length = -1;
            return false;
        }

        if (_content is null || file.Length != _length || file.LastWriteTimeUtc != _modified)
        {
            Remember(ReadExactly(path), file);
        }

        return string.Equals(_content, content, StringComparison.Ordinal);
    }

    public void Wrote(string content) => Remember(content, new FileInfo(path));

    /// <summary>
    /// The file as written, a byte order mark included (as U+FEFF): <see cref="File.ReadAllText(string)"/> would
    /// drop it, so a BOM added behind our back would look unchanged and a restored previous file would lose it.
    /// </summary>
    private static string ReadExactly(string file)
    {
        using var reader = new StreamReader(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: false);
        return reader.ReadToEnd();
    }

    private void Remember(string content, FileInfo file)
    {
        _content = content;
        _length = file.Length;
        _modified = file.LastWriteTimeUtc;
    }
}
