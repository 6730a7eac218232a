using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Reconciler.Actors.Backends;
using Reconciler.Actors.State;

namespace Reconciler.Tests.Simulation;

/// <summary>
/// An etcd-like key-value store with an MVCC history that a simulation drives step by step: writes (put, delete,
/// transactions) make revisions; watches receive nothing until <see cref="Deliver"/> hands one prefix's pending
/// revisions over, split where the schedule says; compaction, disconnects, stalls, a restore to an older revision and
/// a wipe behave as <see cref="EtcdKeyValueSource"/> reports them (history changes are detected as it detects them:
/// a new cluster id, or a revision below one already seen).
/// </summary>
/// <remarks>
/// The watcher reads its watch on a thread-pool task, so the store's state is guarded by one lock; every change is made
/// by the simulation's thread. One revision's events always travel in one batch, as etcd sends them.
/// </remarks>
internal sealed class SimulatedKeyValueSource : IKeyValueSource
{
    private const long BumpedBy = 1000;

    private readonly Lock _gate = new();
    private readonly List<StoredRevision> _history = [];
    private readonly List<OpenWatch> _watches = [];
    private readonly List<PastState> _everHad = [];
    private ulong _clusterId = 1;
    private ulong _knownClusterId;
    private long _compactedBelow;
    private bool _reachable = true;
    private int _epoch;
    private (OpenWatch Watch, long Revision)? _lastDelivery;

    public SimulatedKeyValueSource()
    {
        Commit(ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal), 1, []);
    }

    public string Description => "simulated etcd";

    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return Current.Number;
            }
        }
    }

    /// <summary>The keys as they are now.</summary>
    public ImmutableSortedDictionary<string, string> Keys
    {
        get
        {
            lock (_gate)
            {
                return Current.Keys;
            }
        }
    }

    /// <summary>Every state the store ever had, in order, with the history (epoch) it belonged to: a restore or wipe starts a new epoch.</summary>
    public IReadOnlyList<PastState> EverHad
    {
        get
        {
            lock (_gate)
            {
                return [.. _everHad];
            }
        }
    }

    /// <summary>The history epoch: 0 at the start, one more after each restore or wipe.</summary>
    public int Epoch
    {
        get
        {
            lock (_gate)
            {
                return _epoch;
            }
        }
    }

    /// <summary>Watches open now (a broken or cancelled one is closed).</summary>
    public int OpenWatches
    {
        get
        {
            lock (_gate)
            {
                _watches.RemoveAll(w => w.IsClosed);
                return _watches.Count;
            }
        }
    }

    public bool IsReachable
    {
        get
        {
            lock (_gate)
            {
                return _reachable;
            }
        }
    }

    private StoredRevision Current => _history[^1];

    public long Put(string key, string value) => Transaction([(key, value)]) ?? Revision;

    /// <summary>Deletes <paramref name="key"/>; as in etcd, deleting a key that is not there makes no revision (null).</summary>
    public long? Delete(string key) => Transaction([(key, null)]);

    /// <summary>Puts (value) and deletes (null value) in one revision; null when nothing changed.</summary>
    public long? Transaction(IReadOnlyList<(string Key, string? Value)> operations)
    {
        lock (_gate)
        {
            var keys = Current.Keys;
            var number = Current.Number + 1;
            var events = ImmutableArray.CreateBuilder<KeyEvent>();
            foreach (var (key, value) in operations)
            {
                if (value is not null)
                {
                    keys = keys.SetItem(key, value);
                    events.Add(KeyEvent.Put(key, value, number));
                }
                else if (keys.ContainsKey(key))
                {
                    keys = keys.Remove(key);
                    events.Add(KeyEvent.Delete(key, number));
                }
            }

            if (events.Count == 0)
            {
                return null;
            }

            Commit(keys, number, events.ToImmutable());
            return number;
        }
    }

    /// <summary>Discards the revisions below <paramref name="revision"/>: a watch or read from before it is refused.</summary>
    public void Compact(long revision)
    {
        lock (_gate)
        {
            _compactedBelow = Math.Max(_compactedBelow, Math.Min(revision, Current.Number));
        }
    }

    /// <summary>A new process connects: it has seen no cluster id yet.</summary>
    public void NewClient()
    {
        lock (_gate)
        {
            _knownClusterId = 0;
        }
    }

    /// <summary>The connection drops: open watches break, reads and new watches fail until <see cref="Reconnect"/>.</summary>
    public void Disconnect()
    {
        lock (_gate)
        {
            _reachable = false;
            BreakWatches(new BackendUnavailableException("simulated etcd: connection lost"));
        }
    }

    public void Reconnect()
    {
        lock (_gate)
        {
            _reachable = true;
        }
    }

    /// <summary>A stalled stream is found out by the source's watch timeout: the open watches break as it breaks them.</summary>
    public void TimeOutWatches()
    {
        lock (_gate)
        {
            BreakWatches(new BackendUnavailableException("simulated etcd: watch not current within watch-timeout"));
        }
    }

    /// <summary>
    /// etcd is restored from a snapshot taken at <paramref name="revision"/>: its keys go back to what they were then,
    /// and it restarts (open watches break). With <paramref name="newCluster"/> the restored cluster has a new id; with
    /// <paramref name="bumpRevision"/> (etcdutl's --bump-revision with --mark-compacted) its revision jumps past every
    /// revision it had and the ones below are compacted.
    /// </summary>
    public void RestoreTo(long revision, bool newCluster, bool bumpRevision = false)
    {
        lock (_gate)
        {
            var index = _history.FindLastIndex(r => r.Number <= revision);
            var restored = _history[Math.Max(index, 0)];
            _history.Clear();
            _epoch++;
            _compactedBelow = 0;
            if (newCluster)
            {
                _clusterId++;
            }

            var bumped = bumpRevision ? _everHad.Max(state => state.Revision) + BumpedBy : restored.Number;
            Commit(restored.Keys, bumped, []);
            if (bumpRevision)
            {
                _compactedBelow = bumped;
            }

            BreakWatches(new BackendUnavailableException("simulated etcd: restarted after a restore"));
        }
    }

    /// <summary>etcd is wiped and recreated: empty, at revision 1, with a new cluster id.</summary>
    public void Wipe()
    {
        lock (_gate)
        {
            _history.Clear();
            _epoch++;
            _compactedBelow = 0;
            _clusterId++;
            Commit(ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal), 1, []);
            BreakWatches(new BackendUnavailableException("simulated etcd: restarted after a wipe"));
        }
    }

    /// <summary>
    /// Hands over to one open watch's prefix (the <paramref name="pick"/>th, modulo, of those with revisions pending)
    /// its next revisions with events under the prefix, at most <paramref name="maxRevisions"/>, as one batch.
    /// False when nothing was pending anywhere.
    /// </summary>
    public bool Deliver(int pick, int maxRevisions)
    {
        lock (_gate)
        {
            var pending = _watches
                .Where(w => !w.IsClosed)
                .SelectMany(w => w.Next.Keys.Where(p => w.Next[p] <= Current.Number).Select(p => (Watch: w, Prefix: p)))
                .ToList();
            if (pending.Count == 0)
            {
                return false;
            }

            var (watch, prefix) = pending[Math.Abs(pick % pending.Count)];
            var next = watch.Next[prefix];
            if (watch.ClusterId != _clusterId)
            {
                watch.Break(new HistoryChangedException($"simulated etcd: cluster id changed from {watch.ClusterId} to {_clusterId}"));
                return true;
            }

            if (next < _compactedBelow)
            {
                watch.Break(new RevisionCompactedException(_compactedBelow));
                return true;
            }

            var revisions = _history.Where(r => r.Number >= next && r.Events.Any(e => prefix.Covers(e.Key))).Take(Math.Max(1, maxRevisions)).ToList();
            var events = revisions.SelectMany(r => r.Events.Where(e => prefix.Covers(e.Key))).ToList();
            var complete = revisions.Count == 0 || !_history.Any(r => r.Number > revisions[^1].Number && r.Events.Any(e => prefix.Covers(e.Key)));

            // complete up to now when nothing more is pending for the prefix, else up to the last revision handed over
            var upTo = complete ? Current.Number : revisions[^1].Number;
            watch.Next[prefix] = upTo + 1;
            if (events.Count > 0)
            {
                watch.Send(new WatchBatch(prefix, events, upTo));
                _lastDelivery = (watch, upTo);
            }

            return true;
        }
    }

    /// <summary>
    /// The last batch handed over is still on its way: its watch is open and the reader's state, at
    /// <paramref name="stateRevision"/>, has not reached it yet.
    /// </summary>
    public bool DeliveryInFlight(long stateRevision)
    {
        lock (_gate)
        {
            return _lastDelivery is var (watch, revision) && !watch.IsClosed && stateRevision < revision;
        }
    }

    public Task<KeySnapshot> ReadAsync(IReadOnlyList<KeyPrefix> prefixes, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_reachable)
            {
                return Task.FromException<KeySnapshot>(new BackendUnavailableException("simulated etcd: unreachable"));
            }

            _knownClusterId = _clusterId;
            return Task.FromResult(SnapshotOf(Current, prefixes));
        }
    }

    public Task<KeySnapshot> ReadAtAsync(IReadOnlyList<KeyPrefix> prefixes, long revision, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_reachable)
            {
                return Task.FromException<KeySnapshot>(new BackendUnavailableException("simulated etcd: unreachable"));
            }

            if (revision < _compactedBelow || revision > Current.Number || revision < _history[0].Number)
            {
                return Task.FromException<KeySnapshot>(new RevisionUnavailableException($"simulated etcd: revision {revision} is not kept"));
            }

            return Task.FromResult(SnapshotOf(_history.Last(r => r.Number <= revision), prefixes) with { Revision = revision });
        }
    }

    public IAsyncEnumerable<WatchBatch> WatchAsync(IReadOnlyDictionary<KeyPrefix, long> fromRevisions, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var stream = Channel.CreateUnbounded<WatchBatch>();
            var watch = new OpenWatch(_clusterId, fromRevisions.ToDictionary(), stream.Writer, cancellationToken);
            if (!_reachable)
            {
                watch.Break(new BackendUnavailableException("simulated etcd: unreachable"));
            }
            else if (_knownClusterId != 0 && _knownClusterId != _clusterId)
            {
                watch.Break(new HistoryChangedException($"simulated etcd: cluster id changed from {_knownClusterId} to {_clusterId}"));
                _knownClusterId = _clusterId;
            }
            else if (fromRevisions.Values.Any(from => from - 1 > Current.Number))
            {
                watch.Break(new HistoryChangedException($"simulated etcd: at revision {Current.Number}, below revision {fromRevisions.Values.Max() - 1} already seen"));
            }
            else
            {
                _knownClusterId = _clusterId;
                foreach (var (prefix, from) in fromRevisions)
                {
                    watch.Send(new WatchBatch(prefix, [], from - 1));
                }

                _watches.Add(watch);
            }

            return ReadAllAsync(stream.Reader, cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static async IAsyncEnumerable<WatchBatch> ReadAllAsync(ChannelReader<WatchBatch> stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in stream.ReadAllAsync(cancellationToken))
        {
            yield return batch;
        }
    }

    private static KeySnapshot SnapshotOf(StoredRevision revision, IReadOnlyList<KeyPrefix> prefixes) =>
        new(revision.Keys.Where(kv => prefixes.Any(p => p.Covers(kv.Key))).ToDictionary(kv => kv.Key, kv => kv.Value), revision.Number);

    private void Commit(ImmutableSortedDictionary<string, string> keys, long number, ImmutableArray<KeyEvent> events)
    {
        _history.Add(new StoredRevision(number, keys, events));
        _everHad.Add(new PastState(_epoch, number, keys));
    }

    private void BreakWatches(Exception cause)
    {
        foreach (var watch in _watches)
        {
            watch.Break(cause);
        }

        _watches.Clear();
    }

    private sealed record StoredRevision(long Number, ImmutableSortedDictionary<string, string> Keys, ImmutableArray<KeyEvent> Events);

    /// <summary>One stream: the next revision due per prefix, and where its batches go.</summary>
    private sealed class OpenWatch(ulong clusterId, Dictionary<KeyPrefix, long> next, ChannelWriter<WatchBatch> stream, CancellationToken cancelled)
    {
        private bool _broken;

        public ulong ClusterId { get; } = clusterId;

        public Dictionary<KeyPrefix, long> Next { get; } = next;

        public bool IsClosed => _broken || cancelled.IsCancellationRequested;

        public void Send(WatchBatch batch)
        {
            if (!IsClosed)
            {
                stream.TryWrite(batch);
            }
        }

        public void Break(Exception cause)
        {
            _broken = true;
            stream.TryComplete(cause);
        }
    }
}

/// <summary>A state the simulated store had: its keys at <paramref name="Revision"/> of history <paramref name="Epoch"/>.</summary>
internal sealed record PastState(int Epoch, long Revision, ImmutableSortedDictionary<string, string> Keys);
