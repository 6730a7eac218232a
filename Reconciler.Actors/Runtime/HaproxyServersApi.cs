namespace Reconciler.Actors.Runtime;

/// <summary>runtime.type = haproxy: server lines of haproxy.cfg changed by <c>set server</c>, <c>add server</c> and <c>del server</c>.</summary>
internal sealed class HaproxyServersApi(RuntimeSettings runtime, HaproxyRuntimeClient client) : IHaproxyRuntimeApi
{
    private readonly HaproxyRuntimeApplier _applier = new(client, runtime.DrainTimeout);

    // haproxy -c, as check-cmd, knows better
    public string? Unfit(Func<string> rendered) => null;

    public RuntimeChange ChangeBetween(string live, string rendered) => HaproxyServersChange.Between(live, rendered, runtime);

    // a server leaving the pool may drain for up to drain-timeout
    public TimeSpan BoundFor(RuntimeChange change, TimeSpan commandTimeout) => runtime.DrainTimeout + commandTimeout;

    public Task<RuntimeApplyResult> ApplyAsync(RuntimeChange change, CancellationToken cancellationToken)
    {
        var servers = (HaproxyServersChange)change;
        return _applier.ApplyAsync(servers.Plan!, servers.Diff.Pools, cancellationToken);
    }

    public Task<string?> CompareAsync(string file, CancellationToken cancellationToken) =>
        _applier.CompareAsync(HaproxyConfigDiff.PoolsIn(file, runtime), cancellationToken);
}
