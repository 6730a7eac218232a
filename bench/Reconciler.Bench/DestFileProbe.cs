using System.Diagnostics;

namespace Reconciler.Bench;

/// <summary>
/// Notices each new version of the dest file within about a millisecond: inotify (FileSystemWatcher) wakes it
/// at once, a 1 ms poll of size and mtime catches anything inotify misses. The daemon replaces dest by rename,
/// so every version has its own mtime. Only a version whose stat changed is read and checked, which keeps the
/// probe's own CPU use small next to the daemon's on a 2-core machine.
/// </summary>
public sealed class DestFileProbe : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);

    private readonly string _path;
    private readonly FileSystemWatcher _watcher;
    private readonly SemaphoreSlim _changed = new(0);
    private (DateTime Modified, long Length)? _lastSeen;

    public DestFileProbe(string path)
    {
        _path = path;
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        _watcher.Created += (_, _) => Wake();
        _watcher.Changed += (_, _) => Wake();
        _watcher.Renamed += (_, _) => Wake();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>
    /// Waits for a version of the file that no earlier wait examined and whose content satisfies
    /// <paramref name="holds"/>; returns the <see cref="Stopwatch"/> timestamp at which that version was first seen.
    /// Start it before the change it waits for, so a fast daemon cannot finish before the probe looks.
    /// </summary>
    public async Task<long> WaitUntilAsync(Func<string, bool> holds, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var seenAt = Stopwatch.GetTimestamp();
            if (ReadIfNew() is { } content && holds(content))
            {
                return seenAt;
            }

            if (seenAt > deadline)
            {
                throw new TimeoutException($"{_path} did not {what} within {timeout.TotalSeconds:0} s");
            }

            await _changed.WaitAsync(PollInterval);
        }
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _changed.Dispose();
    }

    private string? ReadIfNew()
    {
        var file = new FileInfo(_path);
        if (!file.Exists || (file.LastWriteTimeUtc, file.Length) == _lastSeen)
        {
            return null;
        }

        _lastSeen = (file.LastWriteTimeUtc, file.Length);
        try
        {
            return File.ReadAllText(_path);
        }
        catch (FileNotFoundException)
        {
            return null; // replaced between stat and open: the next round sees the new version
        }
    }

    private void Wake()
    {
        // at most one pending wake-up: a burst of events must not turn into a burst of empty rounds
        if (_changed.CurrentCount == 0)
        {
            _changed.Release();
        }
    }
}
