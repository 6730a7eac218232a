using Reconciler.Actors.Output;

namespace Reconciler.Actors.Rendering;

/// <summary>
/// Remembers what was last written to dest so an unchanged render is detected without re-reading
/// the file; a file changed behind our back (other size or mtime) is read again. Holds the bytes
/// exactly as in the file, so a byte order mark added behind our back is a difference.
/// </summary>
internal sealed class LiveFileCache(string path)
{
    private ContentBuffer _content = new();
    private bool _known;
    private long _length = -1;
    private DateTime _modified;
    private UnixFileMode _mode;

    /// <summary>The live content as last seen or written; null when unknown or there is no file.</summary>
    public ContentBuffer? Content => _known ? _content : null;

    /// <summary>The file's permission bits as of the last <see cref="Holds"/> (the same stat serves both).</summary>
    public UnixFileMode Mode => _mode;

    public bool Holds(ContentBuffer content)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            _known = false;
            return false;
        }

        if (!_known || file.Length != _length || file.LastWriteTimeUtc != _modified)
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0))
            {
                _content.ReadFrom(stream);
            }

            Remember(file);
        }

        _mode = ModeOf(file);
        return _content.ContentEquals(content);
    }

    /// <summary>
    /// Dest now holds <paramref name="content"/>, which this cache keeps (the caller must not change it);
    /// returns the buffer that held the content before, for the caller to reuse.
    /// </summary>
    public ContentBuffer Wrote(ContentBuffer content)
    {
        var replaced = _content;
        _content = content;
        Remember(new FileInfo(path));
        return replaced;
    }

    private void Remember(FileInfo file)
    {
        _known = true;
        _length = file.Length;
        _modified = file.LastWriteTimeUtc;
    }

    private static UnixFileMode ModeOf(FileInfo file) => OperatingSystem.IsWindows() ? default : file.UnixFileMode;
}
