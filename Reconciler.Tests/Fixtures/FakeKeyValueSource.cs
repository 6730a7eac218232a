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

    public IAsyncEnumerable<WatchBatch> WatchAsync(KeyPrefix prefix, long fromRevision, CancellationToken cancellationToken)
    {
        var watch = new FakeWatch(prefix, fromRevision, cancellationToken);
        _watches.Enqueue(watch);
        _opened.Add(watch);
        return watch.ReadAsync(WatchesHonourCancellation ? cancellationToken : CancellationToken.None);
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
}

/// <summary>One watch stream: what the test pushes is what the watcher receives, in order.</summary>
public sealed class FakeWatch(KeyPrefix prefix, long fromRevision, CancellationToken token)
{
    private readonly Channel<object> _items = Channel.CreateUnbounded<object>();

    public KeyPrefix Prefix { get; } = prefix;

    /// <summary>The revision the watcher asked to start from.</summary>
    public long FromRevision { get; } = fromRevision;

    /// <summary>The watcher cancelled this watch.</summary>
    public bool IsCancelled => token.IsCancellationRequested;

    public WatchBatch Push(long revision, params KeyEvent[] events)
    {
        var batch = new WatchBatch(Prefix, events, revision);
        _items.Writer.TryWrite(batch);
        return batch;
    }

    public WatchBatch Put(string key, string value, long revision) => Push(revision, KeyEvent.Put(key, value, revision));

    /// <summary>The stream breaks with <paramref name="error"/>.</summary>
    public void Fail(Exception error) => _items.Writer.TryWrite(error);

    /// <summary>The stream ends without an error.</summary>
    public void End() => _items.Writer.TryComplete();

    internal async IAsyncEnumerable<WatchBatch> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // as the real backends: the first, empty batch says the stream is established
        yield return new WatchBatch(Prefix, [], FromRevision - 1);
        await foreach (var item in _items.Reader.ReadAllAsync(cancellationToken))
        {
            if (item is Exception error)
            {
                throw error;
            }

            yield return (WatchBatch)item;
        }
    }
}
