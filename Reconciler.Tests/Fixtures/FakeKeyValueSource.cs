using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Reconciler.Actors.Backends;
using Reconciler.Actors.State;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// A backend the test drives: <see cref="ReadAsync"/> answers from <see cref="OnRead"/> (or fails with
/// what it throws); every <see cref="WatchAsync"/> call opens a <see cref="FakeWatch"/> into which the
/// test pushes batches, errors or the end of the stream.
/// </summary>
public sealed class FakeKeyValueSource : IKeyValueSource
{
    private readonly BlockingCollection<FakeWatch> _opened = [];
    private readonly ConcurrentQueue<FakeWatch> _watches = new();
    private readonly ConcurrentQueue<IReadOnlyList<KeyPrefix>> _reads = new();

    /// <summary>The answer to a full read; throw from it to fail the read.</summary>
    public Func<IReadOnlyList<KeyPrefix>, KeySnapshot> OnRead { get; set; } = _ => Snapshot(1);

    /// <summary>
    /// False: a watch ignores the token it was given and keeps delivering what is pushed into it, like a
    /// stream whose cancellation has not taken effect yet (to test that late batches are dropped).
    /// </summary>
    public bool WatchesHonourCancellation { get; set; } = true;

    public string Description => "fake backend";

    /// <summary>The prefixes of each full read so far.</summary>
    public IReadOnlyList<IReadOnlyList<KeyPrefix>> Reads => [.. _reads];

    /// <summary>Every watch opened so far, in order.</summary>
    public IReadOnlyList<FakeWatch> Watches => [.. _watches];

    public bool Disposed { get; private set; }

    public static KeySnapshot Snapshot(long revision, params (string Key, string Value)[] keys) =>
        new(keys.ToDictionary(k => k.Key, k => k.Value), revision);

    public Task<KeySnapshot> ReadAsync(IReadOnlyList<KeyPrefix> prefixes, CancellationToken cancellationToken)
    {
        _reads.Enqueue(prefixes);
        try
        {
            return Task.FromResult(OnRead(prefixes));
        }
        catch (Exception e)
        {
            return Task.FromException<KeySnapshot>(e);
        }
    }

    public IAsyncEnumerable<WatchBatch> WatchAsync(IReadOnlyDictionary<KeyPrefix, long> fromRevisions, CancellationToken cancellationToken)
    {
        var stream = Channel.CreateUnbounded<object>();
        var watches = fromRevisions.Select(from => new FakeWatch(from.Key, from.Value, stream.Writer, cancellationToken)).ToList();
        foreach (var watch in watches)
        {
            _watches.Enqueue(watch);
            _opened.Add(watch, CancellationToken.None);
        }

        return ReadAsync(watches, stream.Reader, WatchesHonourCancellation ? cancellationToken : CancellationToken.None);
    }

    /// <summary>The next watch opened (in the order they were opened), waiting up to <paramref name="timeout"/>.</summary>
    public FakeWatch NextWatch(TimeSpan? timeout = null) =>
        _opened.TryTake(out var watch, timeout ?? TimeSpan.FromSeconds(10))
            ? watch
            : throw new TimeoutException("no watch was opened");

    /// <summary>The next <paramref name="count"/> watches opened, by prefix.</summary>
    public IReadOnlyDictionary<KeyPrefix, FakeWatch> NextWatches(int count, TimeSpan? timeout = null) =>
        Enumerable.Range(0, count).Select(_ => NextWatch(timeout)).ToDictionary(w => w.Prefix);

    /// <summary>True when no watch was opened that <see cref="NextWatch"/> has not returned yet.</summary>
    public bool NoNewWatch => _opened.Count == 0;

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    private static async IAsyncEnumerable<WatchBatch> ReadAsync(
        IReadOnlyList<FakeWatch> watches, ChannelReader<object> stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // as the real backends: each prefix's first, empty batch says its watch is established
        foreach (var watch in watches)
        {
            yield return new WatchBatch(watch.Prefix, [], watch.FromRevision - 1);
        }

        await foreach (var item in stream.ReadAllAsync(cancellationToken))
        {
            if (item is Exception error)
            {
                throw error;
            }

            yield return (WatchBatch)item;
        }
    }
}

/// <summary>
/// One prefix's watch on the stream a <see cref="FakeKeyValueSource.WatchAsync"/> call opened: what the test pushes
/// is what the watcher receives, in order; a failure or the end of any of them ends the whole stream, as with etcd.
/// </summary>
public sealed class FakeWatch(KeyPrefix prefix, long fromRevision, ChannelWriter<object> stream, CancellationToken token)
{
    public KeyPrefix Prefix { get; } = prefix;

    /// <summary>The revision the watcher asked to start from.</summary>
    public long FromRevision { get; } = fromRevision;

    /// <summary>The watcher cancelled this watch.</summary>
    public bool IsCancelled => token.IsCancellationRequested;

    public WatchBatch Push(long revision, params KeyEvent[] events)
    {
        var batch = new WatchBatch(Prefix, events, revision);
        stream.TryWrite(batch);
        return batch;
    }

    public WatchBatch Put(string key, string value, long revision) => Push(revision, KeyEvent.Put(key, value, revision));

    /// <summary>The stream breaks with <paramref name="error"/>.</summary>
    public void Fail(Exception error) => stream.TryWrite(error);

    /// <summary>The stream ends without an error.</summary>
    public void End() => stream.TryComplete();
}
