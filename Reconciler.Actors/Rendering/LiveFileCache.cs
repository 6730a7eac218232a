using Reconciler.Actors.Output;

namespace Reconciler.Actors.Rendering;

/// <summary>
/// Remembers what was last written to dest so an unchanged render is detected without re-reading
/// the file; a file changed behind our back (other size, mtime or inode) is read again. Holds the bytes
/// exactly as in the file, so a byte order mark added behind our back is a difference. Dest is read only when it is a
/// regular file (<see cref="RegularFile"/>: no symbolic link followed, no FIFO or device read) of at most
/// <paramref name="maxBytes"/> (max-output-bytes): a larger one cannot equal any render, so it is not read at all.
/// </summary>
internal sealed class LiveFileCache(string path, long maxBytes)
{
    private ContentBuffer _content = new();
    private bool _known;
    private FileStatus _seen;

    /// <summary>The live content as last seen or written; null when unknown or there is no file.</summary>
    public ContentBuffer? Content => _known ? _content : null;

    /// <summary>The file's permission bits as of the last <see cref="Holds"/> (the same stat serves both).</summary>
    public UnixFileMode Mode { get; private set; }

    /// <exception cref="IOException">Dest is a symbolic link, a folder, a FIFO or a device.</exception>
    public bool Holds(ContentBuffer content)
    {
        if (FileStatus.Of(path) is not { } status)
        {
            _known = false;
            return false;
        }

        RegularFile.EnsureRegular(status, path);
        Mode = status.Mode;
        if (status.Size > maxBytes)
        {
            _known = false;
            return false;
        }

        if (!_known || status != _seen)
        {
            using var stream = RegularFile.OpenRead(path);
            _known = _content.ReadFrom(stream, maxBytes);
            _seen = status;
        }

        return _known && _content.ContentEquals(content);
    }

    /// <summary>
    /// Dest now holds <paramref name="content"/>, which this cache keeps (the caller must not change it);
    /// returns the buffer that held the content before, for the caller to reuse.
    /// </summary>
    public ContentBuffer Wrote(ContentBuffer content)
    {
        var replaced = _content;
        _content = content;
        var status = FileStatus.Of(path);
        _known = status is not null;
        _seen = status.GetValueOrDefault();
        return replaced;
    }
}
