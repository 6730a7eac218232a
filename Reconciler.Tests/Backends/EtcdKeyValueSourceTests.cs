using System.Diagnostics;
using Reconciler.Actors.Backends;
using Reconciler.Actors.State;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Backends;

/// <summary>
/// Against a real etcd. Tests that only read and write use the shared instance, each under its own
/// key root; tests that kill etcd or change its auth start a private one.
/// </summary>
public sealed class EtcdKeyValueSourceTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly string _root = $"/t{Guid.NewGuid():N}";
    private readonly CancellationTokenSource _timeout = new(Deadline);

    private CancellationToken Timeout => _timeout.Token;

    [Fact]
    public async Task ReadAsync_ReturnsTheKeysUnderEveryPrefixAndTheRevisionTheyWereReadAt()
    {
        await etcd.PutAsync($"{_root}/a/x", "1");
        await etcd.PutAsync($"{_root}/b/y", "2");
        var last = await etcd.PutAsync($"{_root}/c/z", "unwatched");
        await using var source = Source(etcd);

        var snapshot = await source.ReadAsync([Prefix("a"), Prefix("b")], Timeout);

        Assert.Equal(
            new Dictionary<string, string> { [$"{_root}/a/x"] = "1", [$"{_root}/b/y"] = "2" },
            snapshot.Keys);
        Assert.Equal(last, snapshot.Revision);
    }

    [Fact]
    public async Task ReadAsync_MatchesOnPathSegmentBoundaries()
    {
        await etcd.PutAsync($"{_root}/apps/web", "self");
        await etcd.PutAsync($"{_root}/apps/web/x", "child");
        await etcd.PutAsync($"{_root}/apps/webby/x", "sibling");
        await using var source = Source(etcd);

        var snapshot = await source.ReadAsync([Prefix("apps/web")], Timeout);

        Assert.Equal([$"{_root}/apps/web", $"{_root}/apps/web/x"], snapshot.Keys.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadAsync_WithOverlappingAndWholeKeySpacePrefixes_ReturnsTheCoveredKeys()
    {
        await etcd.PutAsync($"{_root}/a/x", "1");
        await using var source = Source(etcd);

        var snapshot = await source.ReadAsync([Prefix("a"), new KeyPrefix("/"), Prefix("")], Timeout);

        Assert.Equal("1", snapshot.Keys[$"{_root}/a/x"]);
    }

    [Fact]
    public async Task ReadAsync_WithNoPrefixes_ReturnsNoKeysAndTheCurrentRevision()
    {
        var current = await etcd.PutAsync($"{_root}/a", "1");
        await using var source = Source(etcd);

        var snapshot = await source.ReadAsync([], Timeout);

        Assert.Empty(snapshot.Keys);
        Assert.Equal(current, snapshot.Revision);
    }

    [Fact]
    public async Task ReadAsync_PagesThroughMoreKeysThanOneRangeReturns()
    {
        var count = EtcdKeyValueSource.RangePageSize * 2 + 1;
        var last = await etcd.PutManyAsync(
            Enumerable.Range(0, count).Select(i => KeyValuePair.Create($"{_root}/many/{i:D5}", $"v{i}")));
        await using var source = Source(etcd);

        var snapshot = await source.ReadAsync([Prefix("many")], Timeout);

        Assert.Equal(count, snapshot.Keys.Count);
        Assert.Equal($"v{count - 1}", snapshot.Keys[$"{_root}/many/{count - 1:D5}"]);
        Assert.Equal(last, snapshot.Revision);
    }

    [Fact]
    public async Task WatchAsync_FromAfterTheRead_SeesLaterPutsAndDeletesInOrderAndNothingEarlier()
    {
        await etcd.PutAsync($"{_root}/w/old", "before");
        await using var source = Source(etcd);
        var snapshot = await source.ReadAsync([Prefix("w")], Timeout);
        await using var watch = EventsOnly(source.WatchAsync(Prefix("w"), snapshot.Revision + 1, Timeout)).GetAsyncEnumerator(Timeout);

        var put = await etcd.PutAsync($"{_root}/w/new", "after");
        var delete = await etcd.DeleteAsync($"{_root}/w/old");

        Assert.Equal(
            [KeyEvent.Put($"{_root}/w/new", "after", put), KeyEvent.Delete($"{_root}/w/old", delete)],
            await NextEventsAsync(watch, 2));
    }

    [Fact]
    public async Task WatchAsync_FromAfterTheRead_DoesNotLoseAPutMadeBeforeTheWatchStarted()
    {
        await using var source = Source(etcd);
        var snapshot = await source.ReadAsync([Prefix("w")], Timeout);
        var put = await etcd.PutAsync($"{_root}/w/gap", "in between");

        await using var watch = EventsOnly(source.WatchAsync(Prefix("w"), snapshot.Revision + 1, Timeout)).GetAsyncEnumerator(Timeout);

        Assert.Equal([KeyEvent.Put($"{_root}/w/gap", "in between", put)], await NextEventsAsync(watch, 1));
    }

    [Fact]
    public async Task WatchAsync_SkipsSiblingsThatOnlyShareTheTextPrefix()
    {
        await using var source = Source(etcd);
        var from = await etcd.GetRevisionAsync() + 1;
        await using var watch = EventsOnly(source.WatchAsync(Prefix("apps/web"), from, Timeout)).GetAsyncEnumerator(Timeout);

        await etcd.PutAsync($"{_root}/apps/webby/x", "sibling");
        var put = await etcd.PutAsync($"{_root}/apps/web/x", "child");

        Assert.True(await watch.MoveNextAsync());
        Assert.Equal([KeyEvent.Put($"{_root}/apps/web/x", "child", put)], watch.Current.Events);
        Assert.Equal(Prefix("apps/web"), watch.Current.Prefix);
        Assert.Equal(put, watch.Current.Revision);
    }

    [Fact]
    public async Task WatchAsync_CatchingUpOnManyRevisions_ReportsOnlyRevisionsItHasDelivered()
    {
        await using var source = Source(etcd);
        var from = await etcd.GetRevisionAsync() + 1;
        // One revision per put (concurrent, so it is quick): etcd sends at most 1000 revisions per response.
        await Task.WhenAll(Enumerable.Range(0, 1100).Select(i => etcd.PutAsync($"{_root}/w/{i}", "v")));

        await using var watch = EventsOnly(source.WatchAsync(Prefix("w"), from, Timeout)).GetAsyncEnumerator(Timeout);

        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(watch.Current.Events[^1].ModRevision, watch.Current.Revision);
    }

    [Fact]
    public async Task WatchAsync_FromACompactedRevision_ThrowsRevisionCompacted()
    {
        var first = await etcd.PutAsync($"{_root}/c", "1");
        var second = await etcd.PutAsync($"{_root}/c", "2");
        await etcd.CompactAsync(second);
        await using var source = Source(etcd);

        await using var watch = EventsOnly(source.WatchAsync(Prefix("c"), first, Timeout)).GetAsyncEnumerator(Timeout);

        var error = await Assert.ThrowsAsync<RevisionCompactedException>(async () => await watch.MoveNextAsync());
        Assert.Equal(second, error.CompactRevision);
    }

    [Fact]
    public async Task WatchAsync_FirstYieldsAnEmptyBatchOnceTheStreamIsEstablished()
    {
        await using var source = Source(etcd);
        var from = await etcd.GetRevisionAsync() + 1;
        await using var watch = source.WatchAsync(Prefix("w"), from, Timeout).GetAsyncEnumerator(Timeout);

        Assert.True(await watch.MoveNextAsync());
        Assert.Empty(watch.Current.Events);
        Assert.Equal(from - 1, watch.Current.Revision);
    }

    [Fact]
    public async Task WatchAsync_WhenCancelled_EndsWithOperationCanceled()
    {
        await using var source = Source(etcd);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Timeout);
        await using var watch = EventsOnly(source.WatchAsync(Prefix("w"), await etcd.GetRevisionAsync() + 1, cancel.Token))
            .GetAsyncEnumerator(cancel.Token);
        var next = watch.MoveNextAsync().AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
        Assert.False(Timeout.IsCancellationRequested);
    }

    [Fact]
    public async Task ReadAsync_WithNothingListening_ThrowsBackendUnavailableNamingTheEndpoint()
    {
        var endpoint = $"http://127.0.0.1:{FreePort.Next()}";
        await using var source = new EtcdKeyValueSource(new EtcdConnectionOptions([endpoint]));

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => source.ReadAsync([Prefix("a")], Timeout));

        Assert.Contains(endpoint, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task ReadAsync_AfterEtcdIsKilled_ThrowsBackendUnavailableWithinSeconds()
    {
        using var own = await EtcdFixture.StartNewAsync();
        await using var source = Source(own);
        await source.ReadAsync([Prefix("a")], Timeout);
        await own.StopAsync();

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<BackendUnavailableException>(() => source.ReadAsync([Prefix("a")], Timeout));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(7), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task WatchAsync_WhenEtcdIsKilled_EndsWithBackendUnavailable()
    {
        using var own = await EtcdFixture.StartNewAsync();
        await using var source = Source(own);
        await using var watch = EventsOnly(source.WatchAsync(Prefix("w"), await own.GetRevisionAsync() + 1, Timeout)).GetAsyncEnumerator(Timeout);
        await own.PutAsync($"{_root}/w/a", "1");
        Assert.True(await watch.MoveNextAsync());

        await own.StopAsync();

        await Assert.ThrowsAsync<BackendUnavailableException>(async () => await watch.MoveNextAsync());
    }

    [Fact]
    public async Task WatchAsync_AfterEtcdRestarts_ResumesFromTheLastSeenRevisionWithoutAGap()
    {
        using var own = await EtcdFixture.StartNewAsync();
        await using var source = Source(own);
        long lastSeen;
        await using (var watch = EventsOnly(source.WatchAsync(Prefix("w"), await own.GetRevisionAsync() + 1, Timeout)).GetAsyncEnumerator(Timeout))
        {
            await own.PutAsync($"{_root}/w/a", "1");
            Assert.True(await watch.MoveNextAsync());
            lastSeen = watch.Current.Revision;
            await own.StopAsync();
            await Assert.ThrowsAsync<BackendUnavailableException>(async () => await watch.MoveNextAsync());
        }

        await own.StartAsync();
        var whileAway = await own.PutAsync($"{_root}/w/b", "2");
        await using var resumed = await OpenWatchRetryingAsync(source, Prefix("w"), lastSeen + 1);
        Assert.Equal([KeyEvent.Put($"{_root}/w/b", "2", whileAway)], resumed.Current.Events);

        var afterResume = await own.PutAsync($"{_root}/w/c", "3");
        Assert.Equal([KeyEvent.Put($"{_root}/w/c", "3", afterResume)], await NextEventsAsync(resumed, 1));
    }

    [Fact]
    public async Task WatchAsync_OfSeveralPrefixes_IsOneStreamWithAWatchEachFromItsOwnRevision()
    {
        using var own = await EtcdFixture.StartNewAsync();
        var before = await own.PutAsync($"{_root}/a/old", "1");
        var b = await own.PutAsync($"{_root}/b/x", "2");
        await using var source = Source(own);

        var from = new Dictionary<KeyPrefix, long> { [Prefix("a")] = before, [Prefix("b")] = b + 1 };
        await using var watch = EventsOnly(source.WatchAsync(from, Timeout)).GetAsyncEnumerator(Timeout);
        var a = await own.PutAsync($"{_root}/a/new", "3");
        var b2 = await own.PutAsync($"{_root}/b/y", "4");
        var batches = new List<WatchBatch>();
        while (batches.Sum(batch => batch.Events.Count) < 3 && await watch.MoveNextAsync())
        {
            batches.Add(watch.Current);
        }

        Assert.Equal(
            [KeyEvent.Put($"{_root}/a/old", "1", before), KeyEvent.Put($"{_root}/a/new", "3", a)],
            batches.Where(batch => batch.Prefix == Prefix("a")).SelectMany(batch => batch.Events));
        Assert.Equal([KeyEvent.Put($"{_root}/b/y", "4", b2)], batches.Where(batch => batch.Prefix == Prefix("b")).SelectMany(batch => batch.Events));
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"{own.ClientUrl}/metrics", Timeout);
        Assert.Contains("etcd_debugging_mvcc_watch_stream_total 1\n", metrics);
        Assert.Contains("etcd_debugging_mvcc_watcher_total 2\n", metrics);
    }

    [Fact]
    public async Task WithAuth_ReadsAndWatchesWithTheRightPassword()
    {
        using var own = await EtcdFixture.StartNewAsync();
        await own.EnableAuthAsync("s3cret-root");
        var put = await own.PutAsync($"{_root}/a", "1");
        await using var source = Source(own, "root", "s3cret-root");

        var snapshot = await source.ReadAsync([Prefix("a")], Timeout);
        await using var watch = EventsOnly(source.WatchAsync(Prefix("a"), put, Timeout)).GetAsyncEnumerator(Timeout);

        Assert.Equal("1", snapshot.Keys[$"{_root}/a"]);
        Assert.Equal([KeyEvent.Put($"{_root}/a", "1", put)], await NextEventsAsync(watch, 1));
    }

    [Fact]
    public async Task WithAuth_AWrongPassword_FailsReadAndWatchAsUnavailableWithoutLeakingIt()
    {
        using var own = await EtcdFixture.StartNewAsync();
        await own.EnableAuthAsync("s3cret-root");
        await using var impostor = Source(own, "root", "wrong-pass");

        var readError = await Assert.ThrowsAsync<BackendUnavailableException>(() => impostor.ReadAsync([Prefix("a")], Timeout));
        await using var watch = EventsOnly(impostor.WatchAsync(Prefix("a"), 1, Timeout)).GetAsyncEnumerator(Timeout);
        var watchError = await Assert.ThrowsAsync<BackendUnavailableException>(async () => await watch.MoveNextAsync());

        Assert.Contains("authentication failed", readError.Message);
        Assert.Contains("authentication failed", watchError.Message);
        Assert.DoesNotContain("wrong-pass", readError.ToString());
        Assert.DoesNotContain("wrong-pass", watchError.ToString());
    }

    [Fact]
    public async Task WithTls_ReadsAndWatchesTrustingTheClusterCaAndShowingAClientCertificate()
    {
        using var pki = new TestCertificates();
        using var own = await EtcdFixture.StartNewAsync(pki);
        var put = await own.PutAsync($"{_root}/a", "1");
        await using var source = new EtcdKeyValueSource(own.ConnectionOptions);

        var snapshot = await source.ReadAsync([Prefix("a")], Timeout);
        await using var watch = EventsOnly(source.WatchAsync(Prefix("a"), put, Timeout)).GetAsyncEnumerator(Timeout);

        Assert.StartsWith("https://", own.ClientUrl);
        Assert.Equal("1", snapshot.Keys[$"{_root}/a"]);
        Assert.Equal([KeyEvent.Put($"{_root}/a", "1", put)], await NextEventsAsync(watch, 1));
    }

    [Fact]
    public async Task WithTls_AServerCertificateTheConfiguredCaDidNotIssue_IsNotTrusted()
    {
        using var pki = new TestCertificates();
        using var own = await EtcdFixture.StartNewAsync(pki);
        await using var source = new EtcdKeyValueSource(own.ConnectionOptions with { CaFile = pki.OtherCaFile });

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => source.ReadAsync([Prefix("a")], Timeout));

        Assert.Contains(own.ClientUrl, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(EtcdServerCertificate.ThroughIntermediate)]
    [InlineData(EtcdServerCertificate.WithoutExtendedKeyUsage)]
    public async Task WithTls_AServerCertificateThroughTheIntermediateItSendsOrWithoutExtendedKeyUsage_IsTrusted(EtcdServerCertificate server)
    {
        using var pki = new TestCertificates(server);
        using var own = await EtcdFixture.StartNewAsync(pki);
        await own.PutAsync($"{_root}/a", "1");
        await using var source = new EtcdKeyValueSource(own.ConnectionOptions);

        var snapshot = await source.ReadAsync([Prefix("a")], Timeout);

        Assert.Equal("1", snapshot.Keys[$"{_root}/a"]);
    }

    [Fact]
    public async Task WithTls_AServerCertificateForClientAuthOnly_IsRefusedSayingItLacksServerAuth()
    {
        using var pki = new TestCertificates(EtcdServerCertificate.ForClientAuthOnly);
        using var own = await EtcdFixture.StartNewAsync(pki);
        await using var source = new EtcdKeyValueSource(own.ConnectionOptions);

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => source.ReadAsync([Prefix("a")], Timeout));

        Assert.Contains(own.ClientUrl, error.Message);
        Assert.Contains("the server certificate CN=etcd is refused: it is not for a TLS server: its extended key usage lacks serverAuth (1.3.6.1.5.5.7.3.1)", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task WithTls_NoClientCertificate_IsRefusedByAClusterThatRequiresOne()
    {
        using var pki = new TestCertificates();
        using var own = await EtcdFixture.StartNewAsync(pki);
        await using var source = new EtcdKeyValueSource(own.ConnectionOptions with { CertFile = null, KeyFile = null });

        await Assert.ThrowsAsync<BackendUnavailableException>(() => source.ReadAsync([Prefix("a")], Timeout));
    }

    [Fact]
    public async Task Description_NamesTheEndpointsAndNoSecrets()
    {
        var options = new EtcdConnectionOptions(["http://10.0.0.1:2379", "http://user:pw@10.0.0.2:2379"])
        {
            Username = "root",
            Password = "s3cret",
        };
        await using var source = new EtcdKeyValueSource(options);

        Assert.Equal("etcd http://10.0.0.1:2379,http://10.0.0.2:2379", source.Description);
        Assert.Equal(source.Description, options.ToString());
    }

    public void Dispose() => _timeout.Dispose();

    private KeyPrefix Prefix(string relative) => new($"{_root}/{relative}");

    private static EtcdKeyValueSource Source(EtcdFixture etcd, string? username = null, string? password = null) =>
        new(new EtcdConnectionOptions([etcd.ClientUrl]) { Username = username, Password = password });

    private static async Task<List<KeyEvent>> NextEventsAsync(IAsyncEnumerator<WatchBatch> watch, int count)
    {
        var events = new List<KeyEvent>();
        while (events.Count < count && await watch.MoveNextAsync())
        {
            events.AddRange(watch.Current.Events);
        }

        return events;
    }

    /// <summary>
    /// Opens a watch and waits for its first batch, retrying while etcd is still unreachable — as the
    /// watcher's backoff would. Returns the enumerator positioned on that batch.
    /// </summary>
    private async Task<IAsyncEnumerator<WatchBatch>> OpenWatchRetryingAsync(IKeyValueSource source, KeyPrefix prefix, long from)
    {
        while (true)
        {
            var watch = EventsOnly(source.WatchAsync(prefix, from, Timeout)).GetAsyncEnumerator(Timeout);
            try
            {
                if (await watch.MoveNextAsync())
                {
                    return watch;
                }
            }
            catch (BackendUnavailableException)
            {
                await Task.Delay(100, Timeout);
            }

            await watch.DisposeAsync();
        }
    }

    /// <summary>The watch without its first, empty "established" batch.</summary>
    private static async IAsyncEnumerable<WatchBatch> EventsOnly(IAsyncEnumerable<WatchBatch> watch)
    {
        await foreach (var batch in watch)
        {
            if (batch.Events.Count > 0)
            {
                yield return batch;
            }
        }
    }
}
