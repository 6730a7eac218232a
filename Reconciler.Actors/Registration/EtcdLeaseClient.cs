using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Reconciler.Actors.Backends;

namespace Reconciler.Actors.Registration;

/// <summary>
/// Leases and puts through dotnet-etcd's raw gRPC clients, each call with its own deadline, so every failure
/// reaches the registration (the library's own keep-alive loop retries and logs to stdout by itself).
/// </summary>
public sealed class EtcdLeaseClient : ILeaseClient
{
    private readonly EtcdClient _client;
    private readonly TimeSpan _requestTimeout;

    /// <exception cref="ArgumentException">The connection options contradict each other.</exception>
    public EtcdLeaseClient(EtcdConnectionOptions options)
    {
        _client = EtcdClientFactory.Create(options);
        _requestTimeout = options.RequestTimeout;
        Description = options.ToString();
    }

    public string Description { get; }

    public async Task<Lease> GrantAsync(TimeSpan ttl, CancellationToken cancellationToken)
    {
        // etcd counts whole seconds
        var request = new LeaseGrantRequest { TTL = (long)Math.Ceiling(ttl.TotalSeconds) };
        var response = await CallAsync("lease grant", () => _client.GetConnection().LeaseClient.LeaseGrantAsync(
            request, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
        return response.Error.Length == 0
            ? new Lease(response.ID, TimeSpan.FromSeconds(response.TTL))
            : throw new RegistrationRejectedException($"{Description}: lease grant refused: {response.Error}");
    }

    public async Task<bool> PutUnlessTakenAsync(string key, string value, long leaseId, CancellationToken cancellationToken)
    {
        // etcd compares are ANDed: "absent" and "ours" are two transactions, the common one (absent) first
        var absent = new Compare { Key = ByteString.CopyFromUtf8(key), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 };
        var ours = new Compare { Key = ByteString.CopyFromUtf8(key), Target = Compare.Types.CompareTarget.Lease, Result = Compare.Types.CompareResult.Equal, Lease = leaseId };
        return await PutIfAsync(absent, key, value, leaseId, cancellationToken) || await PutIfAsync(ours, key, value, leaseId, cancellationToken);
    }

    public async Task PutAsync(IReadOnlyList<KeyValuePair<string, string>> entries, long leaseId, CancellationToken cancellationToken)
    {
        var request = new TxnRequest();
        request.Success.AddRange(entries.Select(entry => new RequestOp
        {
            RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(entry.Key), Value = ByteString.CopyFromUtf8(entry.Value), Lease = leaseId },
        }));
        await CallAsync("put", () => _client.GetConnection().KVClient.TxnAsync(
            request, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
    }

    public Task<TimeSpan> KeepAliveAsync(long leaseId, CancellationToken cancellationToken) =>
        CallAsync("lease keep-alive", async () =>
        {
            // one renewal per stream: a registration renews every few seconds, and a fresh call per renewal
            // carries its own deadline, so a stalled etcd shows up as a failure instead of a silent wait
            using var call = _client.GetConnection().LeaseClient.LeaseKeepAlive(deadline: Deadline(), cancellationToken: cancellationToken);
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = leaseId }, cancellationToken);
            await call.RequestStream.CompleteAsync();
            if (!await call.ResponseStream.MoveNext(cancellationToken))
            {
                throw new BackendUnavailableException($"{Description}: lease keep-alive: the stream ended without an answer");
            }

            // etcd answers TTL 0 for a lease it does not know (expired, or revoked)
            return TimeSpan.FromSeconds(Math.Max(0, call.ResponseStream.Current.TTL));
        }, cancellationToken);

    public async Task RevokeAsync(long leaseId, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("lease revoke", () => _client.GetConnection().LeaseClient.LeaseRevokeAsync(
                new LeaseRevokeRequest { ID = leaseId }, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
        }
        catch (BackendUnavailableException e) when (e.InnerException is RpcException { StatusCode: StatusCode.NotFound })
        {
            // already expired: its keys are gone too
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<bool> PutIfAsync(Compare condition, string key, string value, long leaseId, CancellationToken cancellationToken)
    {
        var request = new TxnRequest
        {
            Compare = { condition },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value), Lease = leaseId } } },
        };
        var response = await CallAsync("put", () => _client.GetConnection().KVClient.TxnAsync(
            request, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
        return response.Succeeded;
    }

    private DateTime Deadline() => DateTime.UtcNow + _requestTimeout;

    private async Task<T> CallAsync<T>(string what, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var status = e is RpcException rpc ? rpc.Status : new Status(StatusCode.Unavailable, e.Message);
            var detail = $"{Description}: {what}: {status.StatusCode}{(status.Detail.Length > 0 ? $": {status.Detail.ReplaceLineEndings(" ")}" : string.Empty)}";
            throw status.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated or StatusCode.InvalidArgument
                ? new RegistrationRejectedException(detail, e)
                : new BackendUnavailableException(detail, e);
        }
    }
}
