using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Mvccpb;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Backends;

/// <summary>
/// etcd v3 through dotnet-etcd's raw gRPC clients: paged ranges for snapshots, one watch stream with a watch per prefix.
/// The library's callback-based watch is avoided on purpose: it reconnects silently and writes to stdout,
/// while the watcher must see every disconnect to back off, report health and resume from its own revision.
/// Each read and each watch goes to the first member that answers a status probe, so a hung member costs
/// nothing while another answers; a watch that stops answering progress requests is ended as broken.
/// </summary>
internal sealed class EtcdKeyValueSource : IKeyValueSource
{
    /// <summary>Most keys per range page; pages are also kept to a quarter of the message limit by size.</summary>
    internal const int RangePageSize = 1000;

    // 16 values at etcd's 1.5 MiB request limit still fit max-message-size's 64 MiB default; later pages follow the sizes seen.
    private const int FirstPageSize = 16;

    private static readonly WatchRequest ProgressRequest = new() { ProgressRequest = new WatchProgressRequest() };

    // A member cut off from the others cancels the watch ("no leader") instead of serving a stale stream.
    private static readonly Metadata RequireLeader = new() { { "hasleader", "true" } };

    private readonly EtcdConnectionOptions _options;
    private readonly IReadOnlyList<EtcdMember> _members;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeSpan _watchTimeout;
    private readonly int _pageBytes;
    private readonly KeyLimits _limits;

    // each prefix's range, once a probe found whether the grant reaches the key <prefix> itself; forgotten on a refusal
    private readonly ConcurrentDictionary<KeyPrefix, EtcdKeyRange> _ranges = new();
    private ulong _clusterId;

    public EtcdKeyValueSource(EtcdConnectionOptions options)
    {
        _options = options;
        _requestTimeout = options.RequestTimeout;
        _watchTimeout = options.WatchTimeout;
        _pageBytes = options.MaxMessageSize / 4;
        _limits = options.Limits;
        _members = EtcdClientFactory.CreatePerMember(options);
        Description = options.ToString();
    }

    public string Description { get; }

    public async Task<KeySnapshot> ReadAsync(IReadOnlyList<KeyPrefix> prefixes, CancellationToken cancellationToken)
    {
        var member = await AnsweringMemberAsync(cancellationToken);
        var read = new SnapshotRead(_limits);
        long revision = 0; // 0 = latest; the first response fixes the revision every later page is read at
        try
        {
            foreach (var prefix in KeyPrefixSet.Minimal(prefixes))
            {
                revision = await ReadPrefixAsync(member, prefix, revision, read, cancellationToken);
            }
        }
        catch (RevisionUnavailableException e)
        {
            // compacted between two pages of one read: read again, as after any other broken read
            throw new BackendUnavailableException(e.Message, e);
        }

        if (revision == 0)
        {
            revision = await CurrentRevisionAsync(member, EtcdKeyRange.Whole(new KeyPrefix("/")), cancellationToken); // no prefixes
        }

        return new KeySnapshot(read.Keys, revision) { Refused = read.Refused };
    }

    public async Task<KeySnapshot> ReadAtAsync(IReadOnlyList<KeyPrefix> prefixes, long revision, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        var member = await AnsweringMemberAsync(cancellationToken);
        var read = new SnapshotRead(_limits);
        foreach (var prefix in KeyPrefixSet.Minimal(prefixes))
        {
            await ReadPrefixAsync(member, prefix, revision, read, cancellationToken);
        }

        return new KeySnapshot(read.Keys, revision) { Refused = read.Refused };
    }

    public async IAsyncEnumerable<WatchBatch> WatchAsync(
        IReadOnlyDictionary<KeyPrefix, long> fromRevisions, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var member = await AnsweringMemberAsync(cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = member.Client.GetConnection().WatchClient.Watch(RequireLeader, cancellationToken: stop.Token);
        try
        {
            // etcd answers the creates in the order they were sent, each with the id it gave that watch
            var creating = new Queue<PrefixWatch>();
            foreach (var (prefix, fromRevision) in fromRevisions)
            {
                var range = await RangeOfAsync(member, prefix, cancellationToken);
                creating.Enqueue(new PrefixWatch(prefix, range, fromRevision - 1, _limits));
                await SendAsync(call, member, CreateRequest(range, fromRevision), cancellationToken);
            }

            _ = RequestProgressAsync(call, stop.Token);
            var watches = new Dictionary<long, PrefixWatch>();
            while (true)
            {
                var response = await ReceiveAsync(call, member, cancellationToken);
                ThrowIfWatchEnded(member, response);
                if (response.Created && creating.TryDequeue(out var created))
                {
                    watches[response.WatchId] = created;
                    await ThrowIfHistoryChangedAsync(member, created.Range, response.Header, created.Seen, cancellationToken);
                    yield return new WatchBatch(created.Prefix, [], created.Seen);
                    continue;
                }

                if (!watches.TryGetValue(response.WatchId, out var watch))
                {
                    // an answer to a progress request (no watch id): etcd is at least where every watch got to
                    if (watches.Values.MaxBy(w => w.Seen) is { } highest)
                    {
                        await ThrowIfHistoryChangedAsync(member, highest.Range, response.Header, highest.Seen, cancellationToken);
                    }

                    continue;
                }

                await ThrowIfHistoryChangedAsync(member, watch.Range, response.Header, watch.Seen, cancellationToken);
                if (watch.Add(response) is { } batch)
                {
                    yield return batch;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var member in _members)
        {
            member.Client.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Probes every member at once and returns the first that answers with a leader: a hung member costs
    /// nothing while another answers, and one that just timed out is chosen again only once it answers.
    /// </summary>
    private async Task<EtcdMember> AnsweringMemberAsync(CancellationToken cancellationToken)
    {
        var probes = _members.Select(member => ProbeAsync(member, cancellationToken)).ToList();
        var failures = new List<string>();
        var noLeader = false;
        while (probes.Count > 0)
        {
            var answered = await Task.WhenAny(probes);
            probes.Remove(answered);
            var (member, failure, leaderless) = await answered;
            if (failure is null)
            {
                return member;
            }

            failures.Add(failure);
            noLeader |= leaderless;
        }

        throw new BackendUnavailableException(string.Join("; ", failures)) { NoLeader = noLeader };
    }

    private async Task<(EtcdMember Member, string? Failure, bool NoLeader)> ProbeAsync(EtcdMember member, CancellationToken cancellationToken)
    {
        try
        {
            var status = await member.Client.GetConnection().MaintenanceClient.StatusAsync(
                new StatusRequest(), deadline: Deadline(), cancellationToken: cancellationToken);
            return status.Leader == 0 ? (member, $"etcd {member.Endpoint}: no leader", true) : (member, null, false);
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException)
        {
            // a connection gRPC cannot make ends as a bare cancellation, or DeadlineExceeded, at the deadline
            cancellationToken.ThrowIfCancellationRequested();
            var failure = await FailureAsync(member, null, ex, cancellationToken);
            return (member, failure.Message, failure.NoLeader);
        }
    }

    private async Task<long> ReadPrefixAsync(
        EtcdMember member, KeyPrefix prefix, long revision, SnapshotRead into, CancellationToken cancellationToken)
    {
        var range = await RangeOfAsync(member, prefix, cancellationToken);
        var (key, rangeEnd) = (range.Key, range.RangeEnd);
        var limit = FirstPageSize;
        while (true)
        {
            var page = await RangePageAsync(
                member, range, new RangeRequest { Key = key, RangeEnd = rangeEnd, Revision = revision, Limit = limit }, cancellationToken);

            // A range at an older revision still reports the current one in its header: take only the first.
            if (revision == 0)
            {
                revision = page.Header.Revision;
            }

            foreach (var kv in page.Kvs)
            {
                into.Add(prefix, kv);
            }

            if (!page.More)
            {
                return revision;
            }

            limit = NextPageSize(page);
            key = ByteString.CopyFrom([.. page.Kvs[^1].Key.Span, 0]); // the smallest key after the last one
        }
    }

    /// <summary>As many keys as the last page's average size lets fit in a quarter of the message limit.</summary>
    private int NextPageSize(RangeResponse page)
    {
        var averageBytes = Math.Max(1, page.CalculateSize() / Math.Max(1, page.Kvs.Count));
        return Math.Clamp(_pageBytes / averageBytes, 1, RangePageSize);
    }

    /// <summary>One page; a page that still exceeds the message limit (values of very uneven size) is asked again smaller.</summary>
    private async Task<RangeResponse> RangePageAsync(EtcdMember member, EtcdKeyRange range, RangeRequest request, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await member.Client.GetConnection().KVClient.RangeAsync(
                    request, deadline: Deadline(), cancellationToken: cancellationToken);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted && request.Limit > 1)
            {
                request = request.Clone();
                request.Limit /= 4;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.OutOfRange && request.Revision > 0)
            {
                // "mvcc: required revision has been compacted" or "... is a future revision"
                throw new RevisionUnavailableException($"etcd {member.Endpoint}: revision {request.Revision}: {ex.Status.Detail}");
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.PermissionDenied)
            {
                _ranges.Clear(); // the grants changed: probe again next time
                throw new BackendUnavailableException($"etcd {member.Endpoint}: permission denied: no role of the user grants read {range.Grant}", ex);
            }
            catch (RpcException ex)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw await FailureAsync(member, null, ex, cancellationToken);
            }
        }
    }

    /// <summary>A linearizable read of one key range's count: etcd's current revision, read where the grant allows.</summary>
    private async Task<long> CurrentRevisionAsync(EtcdMember member, EtcdKeyRange range, CancellationToken cancellationToken)
    {
        var response = await RangePageAsync(member, range, new RangeRequest { Key = range.Key, RangeEnd = range.RangeEnd, CountOnly = true }, cancellationToken);
        return response.Header.Revision;
    }

    /// <summary>
    /// What to read and watch for <paramref name="prefix"/>: the whole range when the user's roles grant it (etcd's
    /// count of it answers), else only the keys under <c>&lt;prefix&gt;/</c>, the key <c>&lt;prefix&gt;</c> itself left out
    /// as not there. Found once per prefix: the watch, opened later, covers what the read covered.
    /// </summary>
    private async Task<EtcdKeyRange> RangeOfAsync(EtcdMember member, KeyPrefix prefix, CancellationToken cancellationToken)
    {
        if (_ranges.TryGetValue(prefix, out var known))
        {
            return known;
        }

        var whole = EtcdKeyRange.Whole(prefix);
        var range = whole;
        try
        {
            await member.Client.GetConnection().KVClient.RangeAsync(
                new RangeRequest { Key = whole.Key, RangeEnd = whole.RangeEnd, CountOnly = true }, deadline: Deadline(), cancellationToken: cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.PermissionDenied)
        {
            range = prefix.IsWholeKeySpace
                ? throw new BackendUnavailableException($"etcd {member.Endpoint}: permission denied: no role of the user grants read {whole.Grant}", ex)
                : EtcdKeyRange.Under(prefix);
        }
        catch (RpcException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw await FailureAsync(member, null, ex, cancellationToken);
        }

        _ranges[prefix] = range;
        return range;
    }

    private DateTime Deadline() => DateTime.UtcNow + _requestTimeout;

    private static WatchRequest CreateRequest(EtcdKeyRange range, long fromRevision) =>
        new()
        {
            CreateRequest = new WatchCreateRequest { Key = range.Key, RangeEnd = range.RangeEnd, StartRevision = fromRevision, Fragment = true },
        };

    private async Task SendAsync(
        AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, EtcdMember member, WatchRequest request,
        CancellationToken cancellationToken)
    {
        try
        {
            await call.RequestStream.WriteAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw await FailureAsync(member, "watch could not be opened", StatusOf(call, ex), cancellationToken);
        }
    }

    /// <summary>
    /// Asks for progress at a third of the watch timeout, so a healthy stream answers well within it even
    /// when no key changes. Write failures are left to the receiving side, which sees the stream break.
    /// </summary>
    private async Task RequestProgressAsync(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, CancellationToken stop)
    {
        try
        {
            using var timer = new PeriodicTimer(_watchTimeout / 3);
            while (await timer.WaitForNextTickAsync(stop))
            {
                await call.RequestStream.WriteAsync(ProgressRequest, stop);
            }
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException or InvalidOperationException)
        {
            // the stream ended or was stopped
        }
    }

    /// <summary>The next response; none within the watch timeout means the member hangs or the path to it is dead.</summary>
    private async Task<WatchResponse> ReceiveAsync(
        AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, EtcdMember member, CancellationToken cancellationToken)
    {
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stalled.CancelAfter(_watchTimeout);
        try
        {
            if (await call.ResponseStream.MoveNext(stalled.Token))
            {
                return call.ResponseStream.Current;
            }
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (stalled.IsCancellationRequested)
            {
                throw new BackendUnavailableException(
                    $"etcd {member.Endpoint}: watch not current: no answer to progress requests for {_watchTimeout.TotalSeconds:0.#} s");
            }

            throw await FailureAsync(member, "watch stream broke", StatusOf(call, ex), cancellationToken);
        }

        throw new BackendUnavailableException($"etcd {member.Endpoint}: watch stream ended");
    }

    /// <summary>
    /// Why a stream call failed. A call that fails before it is established (say, auth rejected while
    /// fetching the token) shows up on its streams as a bare TaskCanceledException; the call's status has the reason.
    /// </summary>
    private static Exception StatusOf(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, Exception ex)
    {
        if (ex is RpcException)
        {
            return ex;
        }

        try
        {
            return new RpcException(call.GetStatus());
        }
        catch (InvalidOperationException)
        {
            return ex; // the call has not finished: no status to give
        }
    }

    /// <summary>
    /// A cluster id other than the one seen before, or a revision below what this watch already had, means
    /// etcd's history is not the one the state was folded from. A member that merely lags (the read went to
    /// another one) shows a low revision too, so a low one is confirmed by a linearizable read on the member,
    /// which waits until that member has caught up with the leader.
    /// </summary>
    private async Task ThrowIfHistoryChangedAsync(EtcdMember member, EtcdKeyRange range, ResponseHeader? header, long seen, CancellationToken cancellationToken)
    {
        if (header is null || header.ClusterId == 0)
        {
            return; // responses that end a watch carry no header
        }

        var known = Interlocked.CompareExchange(ref _clusterId, header.ClusterId, 0);
        if (known != 0 && known != header.ClusterId)
        {
            Interlocked.Exchange(ref _clusterId, header.ClusterId);
            throw new HistoryChangedException($"etcd {member.Endpoint}: cluster id changed from {known:x} to {header.ClusterId:x}");
        }

        if (header.Revision < seen && await CurrentRevisionAsync(member, range, cancellationToken) is var current && current < seen)
        {
            throw new HistoryChangedException($"etcd {member.Endpoint}: etcd is at revision {current}, below revision {seen} already seen");
        }
    }

    private static void ThrowIfWatchEnded(EtcdMember member, WatchResponse response)
    {
        if (response.CompactRevision > 0)
        {
            throw new RevisionCompactedException(response.CompactRevision);
        }

        if (response.Canceled)
        {
            throw new BackendUnavailableException($"etcd {member.Endpoint}: watch cancelled by etcd: {response.CancelReason}");
        }
    }

    /// <summary>
    /// Whether <paramref name="key"/>, read from <paramref name="prefix"/>'s byte range, is under it on a segment boundary,
    /// judged on its bytes: a name is decoded only once it is known to be kept.
    /// </summary>
    private static bool Covers(KeyPrefix prefix, ByteString key)
    {
        if (prefix.IsWholeKeySpace)
        {
            return true;
        }

        var length = System.Text.Encoding.UTF8.GetByteCount(prefix.Value);
        return key.Length >= length && key.Span[..length].SequenceEqual(System.Text.Encoding.UTF8.GetBytes(prefix.Value))
            && (key.Length == length || key.Span[length] == (byte)'/');
    }

    /// <summary>
    /// A failed call in plain words, the endpoint once (<see cref="BackendFailure"/>); gRPC's own words stay in the
    /// inner exception, for the debug log. When they say only that time ran out, or nothing known, a direct connection
    /// to the endpoint tells the cause: refused, a name that does not resolve, a TLS handshake that fails.
    /// </summary>
    private async Task<BackendUnavailableException> FailureAsync(EtcdMember member, string? what, Exception ex, CancellationToken cancellationToken)
    {
        var clientCertificate = _options.CertFile is not null;
        var failure = BackendFailure.Of(ex, _requestTimeout, clientCertificate);
        if (failure.Cause is BackendFailureCause.TimedOut or BackendFailureCause.Other
            && await EtcdConnectionCheck.FailureAsync(member.Endpoint, _options, cancellationToken) is { } found
            && BackendFailure.Of(found, _requestTimeout, clientCertificate) is { Cause: not (BackendFailureCause.TimedOut or BackendFailureCause.Other) } plain)
        {
            failure = plain;
        }

        var message = what is null ? $"etcd {member.Endpoint}: {failure.Message}" : $"etcd {member.Endpoint}: {what}: {failure.Message}";
        return new BackendUnavailableException(message, ex) { NoLeader = failure.Cause == BackendFailureCause.NoLeader };
    }

    /// <summary>
    /// What one full read keeps: the keys within the limits, each prefix's within max-prefix-bytes in key order, and the
    /// others counted. A value over a limit is never decoded, so holding it costs no more than its page.
    /// </summary>
    private sealed class SnapshotRead(KeyLimits limits)
    {
        private readonly PrefixBudget _budget = new(limits.MaxPrefixBytes);

        public Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);

        public RefusalTally Refused { get; } = new();

        public void Add(KeyPrefix prefix, KeyValue kv)
        {
            if (!Covers(prefix, kv.Key))
            {
                return;
            }

            var refusal = limits.Refuses(kv.Key.Span, kv.Value.Length);
            if (refusal is null && _budget.Put(prefix, 0, kv.Key.Length + (long)kv.Value.Length) is { } wouldHold)
            {
                refusal = limits.OverPrefix(kv.Key.Span, wouldHold);
            }

            if (refusal is null)
            {
                Keys[kv.Key.ToStringUtf8()] = kv.Value.ToStringUtf8();
            }
            else
            {
                Refused.Add(refusal);
                RefusedGarbage.Discarded(kv.Key.Length + (long)kv.Value.Length);
            }
        }
    }

    /// <summary>
    /// One prefix's watch on the shared stream: where it got to, and the events of a response still arriving in fragments.
    /// Each fragment's events are decoded as they come, within the limits: a value over them becomes a
    /// <see cref="KeyEventKind.Refused"/> event without being decoded, a key put again in the same response keeps its last
    /// event only (the fold's outcome is the same), and past max-prefix-bytes of values in one response the rest are refused.
    /// </summary>
    private sealed class PrefixWatch(KeyPrefix prefix, EtcdKeyRange range, long seen, KeyLimits limits)
    {
        private readonly List<KeyEvent> _events = [];
        private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
        private readonly PrefixBudget _budget = new(limits.MaxPrefixBytes);
        private long _last;

        public KeyPrefix Prefix { get; } = prefix;

        public EtcdKeyRange Range { get; } = range;

        /// <summary>The revision up to which this prefix's events have been delivered.</summary>
        public long Seen { get; private set; } = seen;

        /// <summary>The batch a complete response makes; null while fragments are still arriving or none of its events is under the prefix.</summary>
        public WatchBatch? Add(WatchResponse response)
        {
            // etcd splits a response larger than its request limit into fragments of one watch response
            foreach (var e in response.Events)
            {
                _last = e.Kv.ModRevision;
                if (Covers(Prefix, e.Kv.Key))
                {
                    Keep(e);
                }
            }

            if (response.Fragment || _last == 0)
            {
                return null;
            }

            // Not response.Header.Revision: while catching up, etcd sends at most 1000 revisions per response
            // yet stamps each with the current store revision, so only the last event's revision is a safe
            // "complete up to" cursor to resume from.
            var last = _last;
            List<KeyEvent> events = [.. _events];
            _events.Clear();
            _positions.Clear();
            _budget.Clear();
            _last = 0;
            if (events.Count == 0)
            {
                return null;
            }

            Seen = last;
            return new WatchBatch(Prefix, events, last);
        }

        private void Keep(Event e)
        {
            var kv = e.Kv;
            var refusal = e.Type == Event.Types.EventType.Delete ? null : limits.Refuses(kv.Key.Span, kv.Value.Length);
            var key = refusal?.Reason == RefusalReason.KeyBytes ? refusal.ShownKey : kv.Key.ToStringUtf8();
            var before = _positions.TryGetValue(key, out var position) ? _events[position] : null;
            var oldBytes = before?.Kind == KeyEventKind.Put ? kv.Key.Length + (long)System.Text.Encoding.UTF8.GetByteCount(before.Value) : 0;
            KeyEvent kept;
            if (e.Type == Event.Types.EventType.Delete)
            {
                _budget.Remove(Prefix, oldBytes);
                kept = KeyEvent.Delete(key, kv.ModRevision);
            }
            else if (refusal is not null)
            {
                _budget.Remove(Prefix, oldBytes);
                kept = KeyEvent.Refused(key, refusal, kv.ModRevision);
            }
            else if (_budget.Put(Prefix, oldBytes, kv.Key.Length + (long)kv.Value.Length) is { } wouldHold)
            {
                kept = KeyEvent.Refused(key, limits.OverPrefix(key, wouldHold), kv.ModRevision);
            }
            else
            {
                kept = KeyEvent.Put(key, kv.Value.ToStringUtf8(), kv.ModRevision);
            }

            if (kept.Kind == KeyEventKind.Refused)
            {
                RefusedGarbage.Discarded(kv.Key.Length + (long)kv.Value.Length);
            }

            if (before is null)
            {
                _positions[key] = _events.Count;
                _events.Add(kept);
            }
            else
            {
                _events[position] = kept;
            }
        }
    }
}
