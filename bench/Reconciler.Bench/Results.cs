namespace Reconciler.Bench;

/// <summary>What one size (key count under the watched prefix) measured.</summary>
public sealed record SizeResult(
    int Keys,
    TimeSpan Startup,
    Distribution Put,
    Distribution Delete,
    StageTimes Stages,
    IdleResult Idle,
    MemoryUsage Memory);

/// <summary>p50 of the daemon's own stage times over the counted changes of one size, from its reconcile log lines.</summary>
public sealed record StageTimes(double RenderMs, double CheckMs, double ReloadMs)
{
    public static StageTimes Of(IReadOnlyCollection<ReconcileRecord> reconciles) => new(
        Distribution.Of([.. reconciles.Select(r => (double)r.RenderMs)]).P50,
        Distribution.Of([.. reconciles.Select(r => (double)r.CheckMs)]).P50,
        Distribution.Of([.. reconciles.Select(r => (double)r.ReloadMs)]).P50);
}

/// <summary>
/// An idle period: the daemon's CPU time, and etcd's own counters of what it received: gRPC messages (a unary
/// request or one message on a stream such as a watch), RPCs started, and range (read) operations.
/// </summary>
public sealed record IdleResult(TimeSpan Duration, TimeSpan Cpu, double GrpcMessages, double RpcsStarted, double RangeReads)
{
    public long EtcdRequests => (long)(GrpcMessages + RpcsStarted + RangeReads);
}

/// <summary>A burst of puts: how long the puts took, last put → file complete, and the reloads spent.</summary>
public sealed record BurstResult(TimeSpan Quiet, TimeSpan PutSpan, double LastPutToCompleteMs, int Reloads, IdleResult Idle);

/// <summary>The apply journal's cost at one key count: put or delete → applied, journal off and on, and one entry's size.</summary>
public sealed record JournalResult(int Keys, Distribution Off, Distribution On, long BytesPerEntry);
