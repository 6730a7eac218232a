using Reconciler.Actors.Backends;
using Reconciler.Actors.State;

namespace Reconciler.Tests.Fixtures;

public static class KeyValueSourceExtensions
{
    /// <summary>A stream watching one prefix: most backend tests need no more.</summary>
    public static IAsyncEnumerable<WatchBatch> WatchAsync(this IKeyValueSource source, KeyPrefix prefix, long fromRevision, CancellationToken cancellationToken) =>
        source.WatchAsync(new Dictionary<KeyPrefix, long> { [prefix] = fromRevision }, cancellationToken);
}
