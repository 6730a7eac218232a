namespace Reconciler.Actors.Output;

/// <summary>
/// New content for a dest, written to a temp file in the dest's folder (kept open to fsync it), waiting for
/// <see cref="AtomicFileWriter.Commit"/>. Disposing it uncommitted deletes the temp file, so a failed
/// check or an exception never leaves one behind: use it in a <c>using</c>.
/// </summary>
internal sealed class StagedFile : IDisposable
{
    private bool _done;
    private bool _durable;

    internal StagedFile(string destPath, string path, FileStream content)
    {
        DestPath = destPath;
        Path = path;
        Content = content;
    }

    /// <summary>The full path of the file this content will replace.</summary>
    public string DestPath { get; }

    /// <summary>The full path of the staged temp file; what <c>check-cmd</c> validates.</summary>
    public string Path { get; }

    public bool IsCommitted { get; private set; }

    internal FileStream Content { get; }

    /// <summary>fsyncs the content; <see cref="AtomicFileWriter.Commit"/> does it first when it was not done.</summary>
    public void FlushToDisk()
    {
        if (!_durable)
        {
            Content.Flush(flushToDisk: true);
            _durable = true;
        }
    }

    public void Dispose()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        Content.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Dispose runs while another error propagates; masking it would hide why the write failed.
        }
    }

    /// <summary>Throws unless the file is still staged: committing twice or after disposal is a bug.</summary>
    internal void EnsurePending()
    {
        if (_done)
        {
            throw new InvalidOperationException($"staged file for {DestPath} was already {(IsCommitted ? "committed" : "discarded")}");
        }
    }

    /// <summary>The temp file has become dest; nothing is left to clean up.</summary>
    internal void MarkCommitted()
    {
        IsCommitted = _done = true;
        Content.Dispose();
    }
}
