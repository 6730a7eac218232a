using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Reconciler.Actors.State;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reconciler.Actors.Backends;

/// <summary>
/// Keys from a local flat YAML or JSON map (<c>"/apps/x/1": "web-1 127.0.0.1:8080"</c>), re-read
/// whenever the file changes. For demos and tests without etcd. Revisions count content changes
/// since start; only the latest content is kept, so a watch that fell behind gets
/// <see cref="RevisionCompactedException"/> and the watcher re-reads, exactly as with etcd. What it hands on is within
/// <paramref name="limits"/>, as etcd's source does (the file is the operator's, but its keys may be copied from a registry).
/// </summary>
internal sealed class FileKeyValueSource(string path, KeyLimits limits) : IKeyValueSource
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    // a file being rewritten in place is empty or half-written for a moment; read once events stop
    private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(50);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<string, string> _keys = new(StringComparer.Ordinal);
    private long _revision;

    public string Description => $"file {path}";

    public async Task<KeySnapshot> ReadAsync(IReadOnlyList<KeyPrefix> prefixes, CancellationToken cancellationToken)
    {
        var (keys, revision) = await RefreshAsync(cancellationToken);
        var (kept, refused) = Admitted(keys, prefixes);
        var tally = new RefusalTally();
        foreach (var (_, refusal) in refused)
        {
            tally.Add(refusal);
        }

        return new KeySnapshot(kept, revision) { Refused = tally };
    }

    public async IAsyncEnumerable<WatchBatch> WatchAsync(
        IReadOnlyDictionary<KeyPrefix, long> fromRevisions, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var changed = WatchFile(out var signals);
        var (keys, revision) = await RefreshAsync(cancellationToken);
        if (fromRevisions.Values.Any(from => from != revision + 1))
        {
            throw new RevisionCompactedException(revision);
        }

        var known = fromRevisions.Keys.ToDictionary(prefix => prefix, prefix => Admitted(keys, [prefix]));
        foreach (var prefix in known.Keys)
        {
            yield return new WatchBatch(prefix, [], revision);
        }

        while (true)
        {
            await WaitForChangeAsync(signals, cancellationToken);
            (keys, var latest) = await RefreshAsync(cancellationToken);
            if (latest == revision)
            {
                continue;
            }

            foreach (var (prefix, before) in known.ToList())
            {
                var now = Admitted(keys, [prefix]);
                var events = DesiredState.From(before.Kept, revision).DifferenceTo(now.Kept, latest).ToList();
                events.AddRange(now.Refused.Where(r => !before.Refused.Contains(r)).Select(r => KeyEvent.Refused(r.Key, r.Refusal, latest)));
                known[prefix] = now;
                if (events.Count > 0)
                {
                    yield return new WatchBatch(prefix, events, latest);
                }
            }

            revision = latest;
        }
    }

    public ValueTask DisposeAsync()
    {
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Parses a keys file; a malformed one is a one-line error naming file and line.</summary>
    public static Dictionary<string, string> Parse(string text, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new BackendUnavailableException($"{path}({e.Start.Line},{e.Start.Column}): {e.Message}");
        }

        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return keys;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode map)
        {
            throw new BackendUnavailableException($"{path}: expected a map of \"key\": \"value\"");
        }

        foreach (var (name, value) in map.Children)
        {
            if (name is not YamlScalarNode { Value: { } key } || value is not YamlScalarNode scalar)
            {
                throw new BackendUnavailableException($"{path}({name.Start.Line},{name.Start.Column}): values must be plain strings, not lists or maps");
            }

            keys[key] = scalar.Value ?? string.Empty;
        }

        return keys;
    }

    private async Task<(Dictionary<string, string> Keys, long Revision)> RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var keys = Parse(await ReadTextAsync(cancellationToken), path);
            if (_revision == 0 || !SameKeys(keys, _keys))
            {
                _keys = keys;
                _revision++;
            }

            return (_keys, _revision);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string> ReadTextAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackendUnavailableException($"{path}: {e.Message}", e);
        }
    }

    private FileSystemWatcher WatchFile(out Channel<bool> signals)
    {
        var channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var watcher = new FileSystemWatcher(folder, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        void Signal(object sender, FileSystemEventArgs e) => channel.Writer.TryWrite(true);
        watcher.Changed += Signal;
        watcher.Created += Signal;
        watcher.Renamed += (sender, e) => channel.Writer.TryWrite(true);
        watcher.EnableRaisingEvents = true;
        signals = channel;
        return watcher;
    }

    /// <summary>Waits for file events to settle, or the poll interval as a safety net for missed events.</summary>
    private static async Task WaitForChangeAsync(Channel<bool> signals, CancellationToken cancellationToken)
    {
        if (await SignalWithinAsync(signals, PollInterval, cancellationToken))
        {
            while (await SignalWithinAsync(signals, SettleTime, cancellationToken))
            {
            }
        }
    }

    private static async Task<bool> SignalWithinAsync(Channel<bool> signals, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            await signals.Reader.ReadAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The keys under <paramref name="prefixes"/> within the limits, each prefix's in key order, and the others.</summary>
    private (Dictionary<string, string> Kept, HashSet<(string Key, KeyRefusal Refusal)> Refused) Admitted(
        IReadOnlyDictionary<string, string> keys, IReadOnlyList<KeyPrefix> prefixes)
    {
        var budget = new PrefixBudget(limits.MaxPrefixBytes);
        var kept = new Dictionary<string, string>(StringComparer.Ordinal);
        var refused = new HashSet<(string, KeyRefusal)>();
        var minimal = KeyPrefixSet.Minimal(prefixes);
        foreach (var (key, value) in keys.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (minimal.FirstOrDefault(p => p.Covers(key)) is not { } prefix)
            {
                continue;
            }

            var refusal = limits.Refuses(key, value);
            if (refusal is null && budget.Put(prefix, 0, KeyLimits.SizeOf(key, value)) is { } wouldHold)
            {
                refusal = limits.OverPrefix(key, wouldHold);
            }

            if (refusal is null)
            {
                kept[key] = value;
            }
            else
            {
                refused.Add((key, refusal));
            }
        }

        return (kept, refused);
    }

    private static bool SameKeys(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
