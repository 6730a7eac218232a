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

    /// <summary>
    /// Longest line read back: a longer one (a corrupt file, or an entry written by hand) is skipped without being held
    /// in memory. An entry names at most <see cref="JournalEntry.MostKeyNames"/> keys of each kind, each cut to 200
    /// characters, and keeps a diff of at most <see cref="JournalEntry.MostDiffChars"/>: well within it.
    /// </summary>
    public const int MostLineBytes = 16 * 1024 * 1024;

    /// <summary>The entries on disk, oldest first; a line that does not parse (the torn last one after a crash) is skipped.</summary>
    /// <exception cref="IOException">The journal cannot be read (no permission, a link): not the same as none.</exception>
    public static IReadOnlyList<JournalEntry> Read(string path) => Read(path, out _);

    /// <summary>
    /// <see cref="Read(string)"/>, a line at a time: <paramref name="skipped"/> counts the lines left out, those over
    /// <see cref="MostLineBytes"/> and those that do not parse.
    /// </summary>
    public static IReadOnlyList<JournalEntry> Read(string path, out int skipped)
    {
        var entries = new List<JournalEntry>();
        skipped = 0;
        foreach (var entry in Each(path))
        {
            if (entry is null)
            {
                skipped++;
            }
            else
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>
    /// The entries on disk one at a time, oldest first, none held after it is handed on (the daemon's start reads them
    /// so); null for a line skipped as in <see cref="Read(string, out int)"/>.
    /// </summary>
    /// <exception cref="IOException">The journal cannot be read (no permission, a link): not the same as none.</exception>
    public static IEnumerable<JournalEntry?> Each(string path)
    {
        FileStream file;
        try
        {
            file = RegularFile.OpenRead(path);
        }
        catch (FileNotFoundException)
        {
            yield break;
        }

        using var owned = file;
        foreach (var line in JournalLines.Read(file, MostLineBytes))
        {
            if (line is not { Length: 0 })
            {
                yield return line is null ? null : Parse(line);
            }
        }
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
                var line = Line(numbered);
                if (line.Length > MostLineBytes)
                {
                    line = Line(numbered with { Diff = null }); // history could not read it back whole
                }

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

    private static byte[] Line(JournalEntry entry) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, JournalJson.Default.JournalEntry) + "\n");

    private static JournalEntry? Parse(byte[] line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, JournalJson.Default.JournalEntry);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The number of the entry whose line starts with <paramref name="head"/>, read from its first property (entries are written
    /// <c>{"sequence":N,...</c>) without parsing the rest; null when it does not start so.
    /// </summary>
    private static long? SequenceOf(byte[] head)
    {
        try
        {
            var reader = new Utf8JsonReader(head, isFinalBlock: false, state: default);
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject
                && reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("sequence"u8)
                && reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var sequence)
                ? sequence
                : null;
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

        // a scan, not a parse: a line at a time, each entry's number from its first bytes; a torn last line is no entry
        (_sequence, _entries) = (0, 0);
        _bytes = File.Exists(Path) ? new FileInfo(Path).Length : 0;
        var torn = _bytes > 0 && LastByte() != '\n';
        if (_bytes > 0)
        {
            using var file = RegularFile.OpenRead(Path);
            foreach (var head in JournalLines.Heads(file, 64).SkipLast(torn ? 1 : 0).Where(head => head.Length > 0))
            {
                _entries++;
                _sequence = SequenceOf(head) is { } sequence ? Math.Max(_sequence, sequence) : _sequence;
            }
        }

        if (torn)
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
    /// the newest one always, however large. A line at a time: the starts of the newest lines are found in one pass,
    /// and the lines from there copied to a staged file renamed over the journal (a line over
    /// <see cref="MostLineBytes"/> is dropped on the way).
    /// </summary>
    private void Compact()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the journal needs a Unix system");
        }

        using var file = RegularFile.OpenRead(Path);
        var length = file.Length;
        var starts = NewestLineStarts(file, Math.Max(1, MaxEntries * 3 / 4));
        var from = starts.FirstOrDefault(start => length - start <= MaxBytes * 3 / 4, starts.Count > 0 ? starts[^1] : length);
        file.Seek(from, SeekOrigin.Begin);
        using var staged = AtomicFileWriter.Stage(Path, new ContentBuffer());
        var (entries, bytes) = (0, 0L);
        foreach (var line in JournalLines.Read(file, MostLineBytes))
        {
            if (line is { Length: > 0 })
            {
                staged.Content.Write(line);
                staged.Content.WriteByte((byte)'\n');
                entries++;
                bytes += line.Length + 1;
            }
        }

        AtomicFileWriter.Commit(staged, Mode0600, owner: null, group: null);
        _entries = entries;
        _bytes = bytes;
    }

    /// <summary>Where each of the newest <paramref name="most"/> lines of <paramref name="file"/> starts, oldest first.</summary>
    private static List<long> NewestLineStarts(FileStream file, int most)
    {
        var starts = new Queue<long>(most + 1);
        var buffer = new byte[64 * 1024];
        long position = 0;
        var lineStarts = true;
        int read;
        while ((read = file.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                if (lineStarts)
                {
                    starts.Enqueue(position + i);
                    if (starts.Count > most)
                    {
                        starts.Dequeue();
                    }
                }

                lineStarts = buffer[i] == (byte)'\n';
            }

            position += read;
        }

        return [.. starts];
    }
}
