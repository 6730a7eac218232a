using System.Diagnostics;
using Reconciler.Actors.Backends;
using Reconciler.Actors.State;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Backends;

/// <summary>
/// The faults of a real etcd that must not leave the source silently stale or unable to read: data beyond
/// gRPC's default message size, a member or network path that hangs without closing, a history that went backwards.
/// </summary>
public sealed class EtcdKeyValueSourceFaultTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>, IDisposable
{
    private const int MiB = 1024 * 1024;

    private readonly string _root = $"/f{Guid.NewGuid():N}";
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    private CancellationToken Timeout => _timeout.Token;

    [Fact]
    public async Task ReadAsync_AThousandValuesOf5KB_AreReadInPagesThatFitTheMessageLimit()
    {
        var value = new string('v', 5 * 1024);
        await etcd.PutManyAsync(Enumerable.Range(0, 1000).Select(i => KeyValuePair.Create($"{_root}/many/{i:D4}", value)));
        await using var source = Source([etcd.ClientUrl]);

        var snapshot = await source.ReadAsync([Prefix("many")], Timeout);

        Assert.Equal(1000, snapshot.Keys.Count);
        Assert.All(snapshot.Keys.Values, v => Assert.Equal(value, v));
    }

    [Fact]
    public async Task ReadAsync_SeveralValuesOf1MiB_AreAllRead()
    {
        var values = await PutLargeValuesAsync("large", count: 6);
        await using var source = Source([etcd.ClientUrl]);

        var snapshot = await source.ReadAsync([Prefix("large")], Timeout);

        Assert.Equal(values, snapshot.Keys);
    }

    [Fact]
    public async Task ReadAsync_WithLimits_KeepsWhatFitsInKeyOrderAndCountsTheRestByReason()
    {
        await PutLargeValuesAsync("limited", count: 4); // names of about 40 bytes, values of 1 MiB
        await etcd.PutAsync($"{_root}/limited/{new string('n', 5000)}", "x");
        await etcd.PutAsync($"{_root}/limited/small", "s");
        await using var source = Source([etcd.ClientUrl], limits: new KeyLimits(4096, MiB, (2 * MiB) + 200));

        var snapshot = await source.ReadAsync([Prefix("limited")], Timeout);

        Assert.Equal([$"{_root}/limited/0", $"{_root}/limited/1", $"{_root}/limited/small"], snapshot.Keys.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((1, 0, 2), (snapshot.Refused.CountOf(RefusalReason.KeyBytes), snapshot.Refused.CountOf(RefusalReason.ValueBytes), snapshot.Refused.CountOf(RefusalReason.PrefixBytes)));
        Assert.Contains(snapshot.Refused.Named, r => r.ShownKey.EndsWith("…(5043 bytes)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WatchAsync_WithLimits_HandsOnAValueOverTheLimitAsRefusedAndAKeyPutTwiceInOneResponseOnce()
    {
        var from = await etcd.GetRevisionAsync() + 1;
        await etcd.PutAsync($"{_root}/wlimited/a", "1");
        await etcd.PutAsync($"{_root}/wlimited/a", "2");
        await etcd.PutAsync($"{_root}/wlimited/big", new string('b', 2000));
        await using var source = Source([etcd.ClientUrl], limits: new KeyLimits(4096, 1000, MiB));

        // resuming from before the three puts: etcd answers them in one response
        await using var watch = source.WatchAsync(Prefix("wlimited"), from, Timeout).GetAsyncEnumerator(Timeout);
        Assert.True(await watch.MoveNextAsync()); // established
        Assert.True(await watch.MoveNextAsync());

        Assert.Equal(
            [(KeyEventKind.Put, $"{_root}/wlimited/a", "2"), (KeyEventKind.Refused, $"{_root}/wlimited/big", string.Empty)],
            watch.Current.Events.Select(e => (e.Kind, e.Key, e.Value)));
        Assert.Equal(RefusalReason.ValueBytes, watch.Current.Events[1].Refusal?.Reason);
    }

    [Fact]
    public async Task WatchAsync_ResumingPastSeveralValuesOf1MiB_CatchesUpOnAllOfThem()
    {
        var from = await etcd.GetRevisionAsync() + 1;
        var values = await PutLargeValuesAsync("resume", count: 6);
        await using var source = Source([etcd.ClientUrl]);

        await using var watch = source.WatchAsync(Prefix("resume"), from, Timeout).GetAsyncEnumerator(Timeout);
        var seen = new Dictionary<string, string>();
        while (seen.Count < values.Count && await watch.MoveNextAsync())
        {
            foreach (var e in watch.Current.Events)
            {
                seen[e.Key] = e.Value;
            }
        }

        Assert.Equal(values, seen);
    }

    [Fact]
    public async Task WatchAsync_WhenThePathStopsForwardingWithoutClosing_EndsAsNotCurrentWithinTheWatchTimeout()
    {
        await using var path = new TcpProxy(etcd.ClientPort);
        await using var source = Source([path.Url], watchTimeout: TimeSpan.FromSeconds(2));
        await using var watch = source.WatchAsync(Prefix("w"), await etcd.GetRevisionAsync() + 1, Timeout).GetAsyncEnumerator(Timeout);
        Assert.True(await watch.MoveNextAsync()); // established

        path.Freeze();
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<BackendUnavailableException>(async () => await watch.MoveNextAsync());

        Assert.Contains("not current", error.Message);
        Assert.Contains(path.Url, error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"noticed after {clock.Elapsed}");
    }

    [Fact]
    public async Task ReadAndWatch_WithTheFirstMemberHung_GoToTheMemberThatAnswersWithoutWaitingForTheHungOne()
    {
        await using var hung = new TcpProxy(etcd.ClientPort);
        hung.Freeze();
        var put = await etcd.PutAsync($"{_root}/h/a", "1");
        await using var source = Source([hung.Url, etcd.ClientUrl], requestTimeout: TimeSpan.FromSeconds(5));

        var clock = Stopwatch.StartNew();
        var snapshot = await source.ReadAsync([Prefix("h")], Timeout);
        await using var watch = source.WatchAsync(Prefix("h"), put, Timeout).GetAsyncEnumerator(Timeout);
        Assert.True(await watch.MoveNextAsync()); // established
        Assert.True(await watch.MoveNextAsync());

        Assert.Equal("1", snapshot.Keys[$"{_root}/h/a"]);
        Assert.Equal([KeyEvent.Put($"{_root}/h/a", "1", put)], watch.Current.Events);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}, as if it waited for the hung member");
    }

    [Fact]
    public async Task WatchAsync_FromARevisionEtcdHasNotReached_ThrowsHistoryChanged()
    {
        var current = await etcd.GetRevisionAsync();
        await using var source = Source([etcd.ClientUrl]);

        await using var watch = source.WatchAsync(Prefix("r"), current + 1000, Timeout).GetAsyncEnumerator(Timeout);
        var error = await Assert.ThrowsAsync<HistoryChangedException>(async () => await watch.MoveNextAsync());

        Assert.Contains($"below revision {current + 999}", error.Message);
    }

    public void Dispose() => _timeout.Dispose();

    private static EtcdKeyValueSource Source(IReadOnlyList<string> endpoints, TimeSpan? watchTimeout = null, TimeSpan? requestTimeout = null, KeyLimits? limits = null) =>
        new(new EtcdConnectionOptions(endpoints)
        {
            WatchTimeout = watchTimeout ?? TimeSpan.FromSeconds(10),
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5),
            Limits = limits ?? KeyLimits.None,
        });

    private KeyPrefix Prefix(string relative) => new($"{_root}/{relative}");

    /// <summary>Values of 1 MiB, each in its own put (under etcd's 1.5 MiB request limit); together beyond gRPC's 4 MB default.</summary>
    private async Task<Dictionary<string, string>> PutLargeValuesAsync(string folder, int count)
    {
        var values = Enumerable.Range(0, count).ToDictionary(i => $"{_root}/{folder}/{i}", i => new string((char)('a' + i), MiB));
        foreach (var (key, value) in values)
        {
            await etcd.PutAsync(key, value);
        }

        return values;
    }
}
