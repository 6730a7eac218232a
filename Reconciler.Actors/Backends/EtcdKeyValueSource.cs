using System.Runtime.CompilerServices;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Mvccpb;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Backends;

/// <summary>
/// etcd v3 through dotnet-etcd's raw gRPC clients: paged ranges for snapshots, one watch stream per prefix.
/// The library's callback-based watch is avoided on purpose: it reconnects silently and writes to stdout,
/// while the watcher must see every disconnect to back off, report health and resume from its own revision.
/// </summary>
public sealed class EtcdKeyValueSource : IKeyValueSource
{
    /// <summary>Keys per range page: keeps each response far below gRPC's 4 MB default message limit.</summary>
    internal const int RangePageSize = 1000;

    private static readonly ByteString ZeroKey = ByteString.CopyFrom(0);

    private readonly EtcdClient _client;
    private readonly TimeSpan _requestTimeout;

    public EtcdKeyValueSource(EtcdConnectionOptions options)
    {
        _requestTimeout = options.RequestTimeout;
        _client = EtcdClientFactory.Create(options);
        Description = options.ToString();
    }

    public string Description { get; }

    public async Task<KeySnapshot> ReadAsync(IReadOnlyList<KeyPrefix> prefixes, CancellationToken cancellationToken)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        long revision = 0; // 0 = latest; the first response fixes the revision every later page is read at
        foreach (var prefix in KeyPrefixSet.Minimal(prefixes))
        {
            revision = await ReadPrefixAsync(prefix, revision, keys, cancellationToken);
        }

        if (revision == 0)
        {
            revision = await CurrentRevisionAsync(cancellationToken);
        }

        return new KeySnapshot(keys, revision);
    }

    public async IAsyncEnumerable<WatchBatch> WatchAsync(
        KeyPrefix prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = _client.GetConnection().WatchClient.Watch(cancellationToken: cancellationToken);
        await SendCreateAsync(call, prefix, fromRevision, cancellationToken);
        while (true)
        {
            var response = await ReceiveAsync(call, cancellationToken);
            ThrowIfWatchEnded(response);
            if (response.Created)
            {
                yield return new WatchBatch(prefix, [], fromRevision - 1);
                continue;
            }

            var events = response.Events.Select(ToKeyEvent).Where(e => prefix.Covers(e.Key)).ToList();
            if (events.Count > 0)
            {
                // Not response.Header.Revision: while catching up, etcd sends at most 1000 revisions per
                // response yet stamps each with the current store revision, so only the last event's
                // revision is a safe "complete up to" cursor to resume from.
                yield return new WatchBatch(prefix, events, response.Events[^1].Kv.ModRevision);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<long> ReadPrefixAsync(
        KeyPrefix prefix, long revision, Dictionary<string, string> into, CancellationToken cancellationToken)
    {
        var (key, rangeEnd) = KeyRange(prefix);
        while (true)
        {
            var page = await RangeAsync(
                new RangeRequest { Key = key, RangeEnd = rangeEnd, Revision = revision, Limit = RangePageSize },
                cancellationToken);

            // A range at an older revision still reports the current one in its header: take only the first.
            if (revision == 0)
            {
                revision = page.Header.Revision;
            }

            foreach (var kv in page.Kvs)
            {
                var name = kv.Key.ToStringUtf8();
                if (prefix.Covers(name))
                {
                    into[name] = kv.Value.ToStringUtf8();
                }
            }

            if (!page.More)
            {
                return revision;
            }

            key = ByteString.CopyFrom([.. page.Kvs[^1].Key.Span, 0]); // the smallest key after the last one
        }
    }

    private async Task<long> CurrentRevisionAsync(CancellationToken cancellationToken)
    {
        var response = await RangeAsync(new RangeRequest { Key = ZeroKey, CountOnly = true }, cancellationToken);
        return response.Header.Revision;
    }

    private async Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetConnection().KVClient.RangeAsync(
                request, deadline: DateTime.UtcNow + _requestTimeout, cancellationToken: cancellationToken);
        }
        catch (RpcException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw Unavailable("range failed", ex.Status, ex);
        }
    }

    private async Task SendCreateAsync(
        AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, KeyPrefix prefix, long fromRevision,
        CancellationToken cancellationToken)
    {
        var (key, rangeEnd) = KeyRange(prefix);
        var request = new WatchRequest
        {
            CreateRequest = new WatchCreateRequest { Key = key, RangeEnd = rangeEnd, StartRevision = fromRevision },
        };
        try
        {
            await call.RequestStream.WriteAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw Unavailable("watch could not be opened", StatusOf(call, ex), ex);
        }
    }

    private async Task<WatchResponse> ReceiveAsync(
        AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, CancellationToken cancellationToken)
    {
        try
        {
            if (await call.ResponseStream.MoveNext(cancellationToken))
            {
                return call.ResponseStream.Current;
            }
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw Unavailable("watch stream broke", StatusOf(call, ex), ex);
        }

        throw new BackendUnavailableException($"{Description}: watch stream ended");
    }

    /// <summary>
    /// Why a stream call failed. A call that fails before it is established (say, auth rejected while
    /// fetching the token) shows up on its streams as a bare TaskCanceledException; the call's status has the reason.
    /// </summary>
    private static Status StatusOf(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, Exception ex)
    {
        if (ex is RpcException rpc)
        {
            return rpc.Status;
        }

        try
        {
            return call.GetStatus();
        }
        catch (InvalidOperationException)
        {
            return new Status(StatusCode.Unknown, ex.Message); // the call has not finished: no status to give
        }
    }

    private void ThrowIfWatchEnded(WatchResponse response)
    {
        if (response.CompactRevision > 0)
        {
            throw new RevisionCompactedException(response.CompactRevision);
        }

        if (response.Canceled)
        {
            throw new BackendUnavailableException($"{Description}: watch cancelled by etcd: {response.CancelReason}");
        }
    }

    private static KeyEvent ToKeyEvent(Event e) =>
        e.Type == Event.Types.EventType.Delete
            ? KeyEvent.Delete(e.Kv.Key.ToStringUtf8(), e.Kv.ModRevision)
            : KeyEvent.Put(e.Kv.Key.ToStringUtf8(), e.Kv.Value.ToStringUtf8(), e.Kv.ModRevision);

    /// <summary>
    /// The byte range holding every key that starts with the prefix. It also holds siblings such as
    /// <c>/apps/webby</c> for <c>/apps/web</c>; callers filter with <see cref="KeyPrefix.Covers"/>.
    /// </summary>
    private static (ByteString Key, ByteString RangeEnd) KeyRange(KeyPrefix prefix)
    {
        if (prefix.IsWholeKeySpace)
        {
            return (ZeroKey, ZeroKey); // etcd's "every key" range
        }

        var key = ByteString.CopyFromUtf8(prefix.Value);
        return (key, EtcdClient.GetRangeEnd(key));
    }

    /// <summary>Distinct prefixes that no other prefix in the list already covers, so no key is read twice.</summary>
    private BackendUnavailableException Unavailable(string what, Status status, Exception ex)
    {
        var detail = status.Detail.Length > 0 ? $": {status.Detail.ReplaceLineEndings(" ")}" : string.Empty;
        return new BackendUnavailableException($"{Description}: {what}: {status.StatusCode}{detail}", ex);
    }
}
