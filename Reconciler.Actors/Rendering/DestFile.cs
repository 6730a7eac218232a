using Reconciler.Actors.Configuration;
using Reconciler.Actors.Output;

namespace Reconciler.Actors.Rendering;

/// <summary>
/// One template's dest: what it holds now (read back without following links, see <see cref="LiveFileCache"/>), the
/// buffer the next render goes into, and the content that was live before the last write (for a rollback). Replacing
/// it stages the render next to it, runs check-cmd on the staged file and renames it over dest. Three buffers rotate,
/// so a render allocates nothing for its output. Not thread-safe: its applier holds the dest's lock.
/// </summary>
internal sealed class DestFile(TemplateDefinition definition)
{
    private readonly LiveFileCache _live = new(definition.Dest, definition.MaxOutputBytes);
    private ContentBuffer _rendered = new();
    private ContentBuffer _previous = new();
    private bool _hasPrevious;

    /// <summary>Where the next render goes.</summary>
    public ContentBuffer Rendered => _rendered;

    /// <summary>The live content as text; null when there is no file (or it is too large to have been read).</summary>
    public string? LiveText => _live.Content?.ToString();

    /// <summary>
    /// Dest holds <see cref="Rendered"/> with the configured mode. Right content with another mode (changed in the
    /// configuration, or a chmod behind our back) is out of sync too, as in confd.
    /// </summary>
    /// <exception cref="IOException">Dest is a link, a FIFO, a device or a folder.</exception>
    public bool IsCurrent => _live.Holds(_rendered) && _live.Mode == definition.Mode;

    /// <summary>
    /// Stages <see cref="Rendered"/>, runs <paramref name="check"/> on the staged file (the fsync runs meanwhile) and,
    /// when it passes (or there is none), calls <paramref name="beforeRename"/> and renames the staged file over dest
    /// (calling <paramref name="renameFailed"/> when that throws).
    /// </summary>
    /// <returns>The check's result (null without one), and whether dest was replaced.</returns>
    /// <exception cref="IOException">Staging or renaming failed: dest is untouched.</exception>
    public async Task<(CommandResult? Check, bool Replaced)> ReplaceAsync(
        Func<string, Task<CommandResult>>? check, Action beforeRename, Action renameFailed, CancellationToken cancellationToken)
    {
        using var staged = AtomicFileWriter.Stage(definition.Dest, _rendered);
        CommandResult? checkResult = null;
        if (check is not null)
        {
            var durable = Task.Run(staged.FlushToDisk, CancellationToken.None);
            try
            {
                checkResult = await check(staged.Path);
            }
            finally
            {
                // the staged file is deleted (on dispose) or committed only once the fsync is done with it
                await durable.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (!checkResult.Succeeded)
            {
                return (checkResult, false);
            }

            await durable;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var hadLive = _live.Content is not null;
        beforeRename();
        try
        {
            AtomicFileWriter.Commit(staged, definition.Mode, definition.Owner, definition.Group);
        }
        catch
        {
            renameFailed();
            throw;
        }

        // the content live until now becomes the previous one, and the old previous buffer the next render's
        var replaced = _live.Wrote(_rendered);
        _rendered = _previous;
        _previous = replaced;
        _hasPrevious = hadLive;
        return (checkResult, true);
    }

    /// <summary>Puts back the file that was live before the last write (after its reload failed); false when there is none.</summary>
    public bool RestorePrevious()
    {
        if (!_hasPrevious)
        {
            return false;
        }

        using var staged = AtomicFileWriter.Stage(definition.Dest, _previous);
        AtomicFileWriter.Commit(staged, definition.Mode, definition.Owner, definition.Group);
        _previous = _live.Wrote(_previous);
        _hasPrevious = false;
        return true;
    }

    /// <summary>Runs <paramref name="check"/> on <see cref="Rendered"/> staged next to dest, then removes it: dest untouched.</summary>
    public async Task<CommandResult> CheckStagedAsync(Func<string, Task<CommandResult>> check)
    {
        using var staged = AtomicFileWriter.Stage(definition.Dest, _rendered);
        return await check(staged.Path);
    }

    /// <summary>Runs <paramref name="check"/> on a copy of <see cref="Rendered"/> in <paramref name="scratchFolder"/>: writes nothing near dest.</summary>
    public async Task<CommandResult> CheckCopyAsync(string scratchFolder, Func<string, Task<CommandResult>> check)
    {
        var copy = Path.Combine(scratchFolder, $"{definition.Name}-{Path.GetFileName(definition.Dest)}");
        await using (var stream = new FileStream(copy, FileMode.Create, FileAccess.Write))
        {
            _rendered.WriteTo(stream);
        }

        try
        {
            return await check(copy);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    /// <summary>Deletes staged files a killed run left next to dest; returns how many.</summary>
    public int RemoveLeftovers() => AtomicFileWriter.RemoveLeftovers(definition.Dest);
}
