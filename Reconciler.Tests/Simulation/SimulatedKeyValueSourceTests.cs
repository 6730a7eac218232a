using Reconciler.Actors.Backends;
using Reconciler.Actors.State;

namespace Reconciler.Tests.Simulation;

public sealed class SimulatedKeyValueSourceTests
{
    private static readonly KeyPrefix Apps = new("/apps");
    private static readonly KeyPrefix Other = new("/other");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public void Writes_make_revisions_and_a_delete_of_nothing_makes_none()
    {
        var source = new SimulatedKeyValueSource();
        Assert.Equal(1, source.Revision);
        Assert.Equal(2, source.Put("/apps/a", "1"));
        Assert.Equal(3, source.Transaction([("/apps/b", "2"), ("/apps/a", null)]));
        Assert.Null(source.Delete("/apps/a"));
        Assert.Equal(3, source.Revision);
        Assert.Equal(["/apps/b"], source.Keys.Keys);
        Assert.Equal([1L, 2L, 3L], source.EverHad.Select(s => s.Revision));
    }

    [Fact]
    public async Task A_read_at_a_revision_sees_that_revision_and_not_a_compacted_one()
    {
        var source = new SimulatedKeyValueSource();
        source.Put("/apps/a", "1");
        source.Put("/apps/a", "2");
        source.Put("/other/x", "3");

        var atTwo = await source.ReadAtAsync([Apps], 2, CancellationToken.None);
        var now = await source.ReadAsync([Apps], CancellationToken.None);
        source.Compact(3);

        Assert.Equal("1", atTwo.Keys["/apps/a"]);
        Assert.Equal(("2", 4L), (now.Keys["/apps/a"], now.Revision));
        Assert.DoesNotContain("/other/x", now.Keys.Keys);
        await Assert.ThrowsAsync<RevisionUnavailableException>(() => source.ReadAtAsync([Apps], 2, CancellationToken.None));
    }

    [Fact]
    public async Task A_watch_gets_nothing_until_delivered_then_batches_split_where_asked()
    {
        var source = new SimulatedKeyValueSource();
        using var cancel = new CancellationTokenSource(Patience);
        await using var watch = source.WatchAsync(new Dictionary<KeyPrefix, long> { [Apps] = 2 }, cancel.Token).GetAsyncEnumerator(cancel.Token);
        source.Put("/apps/a", "1");
        source.Put("/other/x", "-");
        source.Transaction([("/apps/b", "2"), ("/apps/c", "3")]);
        source.Delete("/apps/a");

        Assert.True(await watch.MoveNextAsync());
        Assert.Equal((1L, 0), (watch.Current.Revision, watch.Current.Events.Count)); // established

        Assert.True(source.Deliver(0, maxRevisions: 2));
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(4, watch.Current.Revision); // up to the transaction, not beyond: revision 5 is still to come
        Assert.Equal(["/apps/a", "/apps/b", "/apps/c"], watch.Current.Events.Select(e => e.Key));

        Assert.True(source.Deliver(0, maxRevisions: 2));
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal((5L, KeyEventKind.Delete), (watch.Current.Revision, watch.Current.Events.Single().Kind));
        Assert.False(source.Deliver(0, 1));
    }

    [Fact]
    public async Task Each_prefix_of_a_stream_is_delivered_on_its_own()
    {
        var source = new SimulatedKeyValueSource();
        using var cancel = new CancellationTokenSource(Patience);
        await using var watch = source.WatchAsync(new Dictionary<KeyPrefix, long> { [Apps] = 2, [Other] = 2 }, cancel.Token).GetAsyncEnumerator(cancel.Token);
        source.Put("/apps/a", "1");
        source.Put("/other/x", "2");
        await watch.MoveNextAsync();
        await watch.MoveNextAsync();

        source.Deliver(1, 10);

        Assert.True(await watch.MoveNextAsync());
        Assert.Equal((Other, 3L), (watch.Current.Prefix, watch.Current.Revision));
    }

    [Fact]
    public async Task A_watch_behind_compaction_is_told_so()
    {
        var source = new SimulatedKeyValueSource();
        using var cancel = new CancellationTokenSource(Patience);
        await using var watch = source.WatchAsync(new Dictionary<KeyPrefix, long> { [Apps] = 2 }, cancel.Token).GetAsyncEnumerator(cancel.Token);
        source.Put("/apps/a", "1");
        source.Put("/apps/a", "2");
        source.Compact(3);
        await watch.MoveNextAsync();

        source.Deliver(0, 1);

        var compacted = await Assert.ThrowsAsync<RevisionCompactedException>(async () => await watch.MoveNextAsync());
        Assert.Equal(3, compacted.CompactRevision);
    }

    [Fact]
    public async Task A_disconnect_breaks_the_stream_and_refuses_reads_until_reconnected()
    {
        var source = new SimulatedKeyValueSource();
        using var cancel = new CancellationTokenSource(Patience);
        await using var watch = source.WatchAsync(new Dictionary<KeyPrefix, long> { [Apps] = 2 }, cancel.Token).GetAsyncEnumerator(cancel.Token);
        await watch.MoveNextAsync();

        source.Disconnect();

        await Assert.ThrowsAsync<BackendUnavailableException>(async () => await watch.MoveNextAsync());
        await Assert.ThrowsAsync<BackendUnavailableException>(() => source.ReadAsync([Apps], CancellationToken.None));
        Assert.Equal(0, source.OpenWatches);
        source.Reconnect();
        Assert.Equal(1, (await source.ReadAsync([Apps], CancellationToken.None)).Revision);
    }

    [Fact]
    public async Task A_stall_ends_in_the_watch_timing_out()
    {
        var source = new SimulatedKeyValueSource();
        using var cancel = new CancellationTokenSource(Patience);
        await using var watch = source.WatchAsync(new Dictionary<KeyPrefix, long> { [Apps] = 2 }, cancel.Token).GetAsyncEnumerator(cancel.Token);
        await watch.MoveNextAsync();
        source.Put("/apps/a", "1");

        source.TimeOutWatches();

        var timedOut = await Assert.ThrowsAsync<BackendUnavailableException>(async () => await watch.MoveNextAsync());
        Assert.Contains("watch-timeout", timedOut.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restore_under_the_same_cluster_id_is_found_by_the_revision_going_back()
    {
        var source = new SimulatedKeyValueSource();
        source.Put("/apps/a", "1");
        source.Put("/apps/a", "2");
        await source.ReadAsync([Apps], CancellationToken.None);

        source.RestoreTo(2, newCluster: false);

        Assert.Equal(("1", 2L, 1), (source.Keys["/apps/a"], source.Revision, source.Epoch));
        await using var resumed = source.WatchAsync(new Dictionary<KeyPrefix, long> { [Apps] = 4 }, CancellationToken.None).GetAsyncEnumerator();
        await Assert.ThrowsAsync<HistoryChangedException>(async () => await resumed.MoveNextAsync());
    }

    [Fact]
    public async Task A_wipe_is_found_by_the_new_cluster_id_even_once_the_revision_caught_up()
    {
        var source = new SimulatedKeyValueSource();
        source.Put("/apps/a", "1");
        await source.ReadAsync([Apps], CancellationToken.None);

        source.Wipe();
        source.Put("/apps/b", "1");
        source.Put("/apps/b", "2");

        Assert.Equal(["/apps/b"], source.Keys.Keys);
        await using var resumed = source.WatchAsync(new Dictionary<KeyPrefix, long> { [Apps] = 3 }, CancellationToken.None).GetAsyncEnumerator();
        await Assert.ThrowsAsync<HistoryChangedException>(async () => await resumed.MoveNextAsync());
        Assert.Contains(source.EverHad, s => s is { Epoch: 0, Revision: 2 } && s.Keys.ContainsKey("/apps/a"));
    }

    [Fact]
    public async Task A_restore_with_a_bumped_revision_is_found_by_compaction()
    {
        var source = new SimulatedKeyValueSource();
        source.Put("/apps/a", "1");
        source.Put("/apps/a", "2");

        source.RestoreTo(2, newCluster: false, bumpRevision: true);
        using var cancel = new CancellationTokenSource(Patience);
        await using var resumed = source.WatchAsync(new Dictionary<KeyPrefix, long> { [Apps] = 4 }, cancel.Token).GetAsyncEnumerator(cancel.Token);
        await resumed.MoveNextAsync();
        source.Deliver(0, 1);

        Assert.Equal(("1", 1003L), (source.Keys["/apps/a"], source.Revision));
        await Assert.ThrowsAsync<RevisionCompactedException>(async () => await resumed.MoveNextAsync());
    }
}
