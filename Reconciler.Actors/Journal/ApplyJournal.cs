using System.Text;
using System.Text.Json;
using Reconciler.Actors.Output;

namespace Reconciler.Actors.Journal;

/// <summary>
/// The daemon's decisions as an append-only log: <c>&lt;state-dir&gt;/journal.jsonl</c>, one JSON line per apply,
/// each fsynced before the apply's log line. JSON lines rather than an embedded database: an append is one write
/// and one fsync (tens of microseconds, no page cache of a B-tree in memory), a torn last line after kill -9 is
/// one line a reader skips, and an operator can read it with <c>tail</c>. Bounded by <see cref="MaxEntries"/> and
/// <see cref="MaxBytes"/>: past either, the newest three quarters are rewritten to a staged file renamed over it.
/// One per process; appends from several templates are serialised.
/// </summary>
public sealed class ApplyJournal
{
    public const string FileName = "journal.jsonl";

    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly object _gate = new();
    private readonly string _folder;
    private long _sequence = -1;
    private int _entries;
    private long _bytes;

    public ApplyJournal(string stateDir, int maxEntries, long maxBytes)
    {
        _folder = stateDir;
        Path = System.IO.Path.Combine(stateDir, FileName);
        MaxEntries = maxEntries;
        MaxBytes = maxBytes;
    }

    public string Path { get; }

    public int MaxEntries { get; }

    public long MaxBytes { get; }

    /// <summary>The entries on disk, oldest first; a line that does not parse (the torn last one after a crash) is skipped.</summary>
    /// <exception cref="IOException">The journal cannot be read (no permission, a link): not the same as none.</exception>
    public static IReadOnlyList<JournalEntry> Read(string path)
    {
        FileStream file;
        try
        {
            file = RegularFile.OpenRead(path);
        }
        catch (FileNotFoundException)
        {
            return [];
        }

        using var owned = file;
        using var reader = new StreamReader(file, Encoding.UTF8);
        var entries = new List<JournalEntry>();
        while (reader.ReadLine() is { } line)
        {
            if (Parse(line) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>Appends <paramref name="entry"/> (numbered after the last one) and makes it durable; null when it did, else why not.</summary>
    public string? Append(JournalEntry entry)
    {
        lock (_gate)
        {
            try
            {
                Open();
                var numbered = entry with { Sequence = ++_sequence };
                var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(numbered, JournalJson.Default.JournalEntry) + "\n");
                using (var file = OpenForAppend())
                {
                    file.Write(line);
                    file.Flush(flushToDisk: true);
                }

                _entries++;
                _bytes += line.Length;
                if (_entries > MaxEntries || _bytes > MaxBytes)
                {
                    Compact();
                }

                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                _sequence = -1; // learn the file again next time: a half-written line is ended, the counts recounted
                return e.Message;
            }
        }
    }

    private static JournalEntry? Parse(string line)
    {
        try
        {
            return line.Length == 0 ? null : JsonSerializer.Deserialize(line, JournalJson.Default.JournalEntry);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Learns the last number, the size and whether the last line was torn (then ends it, so the next entry starts a line of its own).</summary>
    private void Open()
    {
        if (_sequence >= 0)
        {
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (FileStatus.Of(Path) is { Kind: not FileKind.Regular } other)
        {
            throw new IOException($"{Path} is a {other.Kind}, not the journal: not written through");
        }

        var existing = Read(Path);
        _sequence = existing.Count > 0 ? existing[^1].Sequence : 0;
        _entries = existing.Count;
        _bytes = File.Exists(Path) ? new FileInfo(Path).Length : 0;
        if (_bytes > 0 && LastByte() != '\n')
        {
            using var file = OpenForAppend();
            file.WriteByte((byte)'\n');
            _bytes++;
        }
    }

    // 0600 when created: entries name keys and may hold diffs
    private FileStream OpenForAppend()
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = Mode0600;
        }

        return new FileStream(Path, options);
    }

    private int LastByte()
    {
        using var file = RegularFile.OpenRead(Path);
        file.Seek(-1, SeekOrigin.End);
        return file.ReadByte();
    }

    /// <summary>
    /// Keeps the newest entries within three quarters of both bounds (compacting is rare, not once per append), and
    /// the newest one always, however large.
    /// </summary>
    private void Compact()
    {
        var kept = new List<string>();
        long bytes = 0;
        foreach (var entry in Read(Path).Reverse())
        {
            var line = JsonSerializer.Serialize(entry, JournalJson.Default.JournalEntry) + "\n";
            var size = Encoding.UTF8.GetByteCount(line);
            if (kept.Count > 0 && (kept.Count >= Math.Max(1, MaxEntries * 3 / 4) || bytes + size > MaxBytes * 3 / 4))
            {
                break;
            }

            kept.Add(line);
            bytes += size;
        }

        kept.Reverse();
        var content = new ContentBuffer();
        foreach (var line in kept)
        {
            content.Write(line, 0, line.Length);
        }

        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the journal needs a Unix system");
        }

        using var staged = AtomicFileWriter.Stage(Path, content);
        AtomicFileWriter.Commit(staged, Mode0600, owner: null, group: null);
        _entries = kept.Count;
        _bytes = bytes;
    }
}
