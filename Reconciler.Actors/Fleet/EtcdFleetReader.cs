using System.Collections.Immutable;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Fleet;

/// <summary>
/// Reads the fleet prefix and the templates' keys at one etcd revision, so that every record is judged against the
/// registry as it was when the records were read. Bounded: at most <see cref="MostRecords"/> records, read a page at a
/// time so that even values at etcd's 1.5 MiB limit stay under the client's largest message; of the templates' keys
/// only the newest mod revision is asked (etcd sorts, one key comes back, no value).
/// </summary>
public sealed class EtcdFleetReader(EtcdConnectionOptions options) : IDisposable
{
    public const int MostRecords = 10_000;
    private const int PageSize = 32;

    private readonly EtcdClient _client = EtcdClientFactory.Create(options);

    /// <exception cref="BackendUnavailableException">etcd did not answer, or refused (the reason says which).</exception>
    public async Task<FleetSnapshot> ReadAsync(KeyPrefix fleet, IReadOnlyList<TemplateDefinition> templates, CancellationToken cancellationToken)
    {
        var records = ImmutableArray.CreateBuilder<FleetRecord>();
        var warnings = ImmutableArray.CreateBuilder<string>();
        var from = ByteString.CopyFromUtf8($"{fleet.Value}/");
        var end = EtcdClient.GetRangeEnd(from);
        long revision = 0;
        var read = 0;
        while (true)
        {
            var page = await RangeAsync(new RangeRequest { Key = from, RangeEnd = end, Revision = revision, Limit = PageSize }, cancellationToken);
            revision = revision == 0 ? page.Header.Revision : revision;
            foreach (var kv in page.Kvs)
            {
                if (FleetRecordParser.Parse(fleet, kv.Key.Span, kv.Value.Span, out var warning) is { } record)
                {
                    records.Add(record);
                }
                else
                {
                    warnings.Add(warning!);
                }
            }

            read += page.Kvs.Count;
            if (!page.More || page.Kvs.Count == 0)
            {
                break;
            }

            if (read >= MostRecords)
            {
                warnings.Add($"read the first {MostRecords} keys under {fleet} only: there are more");
                break;
            }

            from = ByteString.CopyFrom([.. page.Kvs[^1].Key.Span, 0]); // the next key after the last one read
        }

        var newest = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        foreach (var template in templates)
        {
            long modRevision = 0;
            foreach (var prefix in template.Keys)
            {
                modRevision = Math.Max(modRevision, await NewestModRevisionAsync(prefix, revision, cancellationToken));
            }

            newest[template.Name] = modRevision;
        }

        return new FleetSnapshot(revision, records.ToImmutable(), newest.ToImmutable(), warnings.ToImmutable());
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The key itself and the keys below it on a segment boundary (<c>/apps/web/…</c>, not <c>/apps/webby</c>).</summary>
    private async Task<long> NewestModRevisionAsync(KeyPrefix prefix, long revision, CancellationToken cancellationToken)
    {
        ByteString[][] ranges = prefix.IsWholeKeySpace
            ? [[ByteString.CopyFrom(0), ByteString.CopyFrom(0)]]
            : [[ByteString.CopyFromUtf8(prefix.Value), ByteString.Empty], [ByteString.CopyFromUtf8($"{prefix.Value}/"), EtcdClient.GetRangeEnd(ByteString.CopyFromUtf8($"{prefix.Value}/"))]];
        long newest = 0;
        foreach (var range in ranges)
        {
            var page = await RangeAsync(
                new RangeRequest
                {
                    Key = range[0], RangeEnd = range[1], Revision = revision, Limit = 1, KeysOnly = true,
                    SortTarget = RangeRequest.Types.SortTarget.Mod, SortOrder = RangeRequest.Types.SortOrder.Descend,
                },
                cancellationToken);
            newest = Math.Max(newest, page.Kvs.Count > 0 ? page.Kvs[0].ModRevision : 0);
        }

        return newest;
    }

    private async Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetConnection().KVClient.RangeAsync(
                request, deadline: DateTime.UtcNow + options.RequestTimeout, cancellationToken: cancellationToken).ResponseAsync;
        }
        catch (RpcException e)
        {
            throw new BackendUnavailableException($"{options}: range: {e.Status.StatusCode}{(e.Status.Detail.Length > 0 ? $": {e.Status.Detail.ReplaceLineEndings(" ")}" : string.Empty)}", e);
        }
    }
}
