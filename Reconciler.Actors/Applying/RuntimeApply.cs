using System.Globalization;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Runtime;

namespace Reconciler.Actors.Applying;

/// <summary>
/// A template's runtime API (runtime.type = haproxy): applies a written file's server changes over HAProxy's admin
/// socket in the reload queue's turn (never while a reload runs), and after every reload compares the running pool
/// with the file. The file is the truth; the socket is only a faster way to the same state.
/// </summary>
internal sealed class RuntimeApply(TemplateDefinition definition, ReloadQueue queue)
{
    // one admin socket command; HAProxy answers in microseconds, so this only bounds a wedged one
    private static readonly TimeSpan SocketTimeout = TimeSpan.FromSeconds(5);

    // how long a reloaded HAProxy gets to show the file's pool on its admin socket
    private static readonly TimeSpan PoolCheckPatience = TimeSpan.FromSeconds(10);

    private readonly HaproxyRuntimeApplier _applier = new(new HaproxyRuntimeClient(definition.Runtime.Socket, SocketTimeout), definition.Runtime.DrainTimeout);

    /// <summary>How <paramref name="live"/> → <paramref name="rendered"/> can reach HAProxy: its plan, or why only a reload can.</summary>
    public RuntimeChange ChangeBetween(string live, string rendered) => RuntimeChange.Between(live, rendered, definition.Runtime);

    /// <summary>Applies <paramref name="change"/>'s plan, within drain-timeout plus commands.timeout once its turn came.</summary>
    public async Task<RuntimeApplyResult> ApplyAsync(RuntimeChange change, TimeSpan commandTimeout, CancellationToken cancellationToken)
    {
        if (change.Plan is not { Refusal: null } plan)
        {
            return RuntimeApplyResult.FellBack("unsupported", change.Plan?.Refusal ?? change.Diff.ReloadReason ?? "no plan");
        }

        var bound = definition.Runtime.DrainTimeout + commandTimeout;
        try
        {
            return await queue.RunAsync($"runtime change of {definition.Name}", token => _applier.ApplyAsync(plan, change.Diff.Pools, token), bound, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return RuntimeApplyResult.FellBack("socket", string.Create(CultureInfo.InvariantCulture, $"no result within {bound.TotalSeconds:0.###}s"));
        }
    }

    /// <summary>
    /// A reload makes HAProxy read the file; the running pool should now be the file's. Read-only commands, off the
    /// queue: a difference is logged (the next change reloads or applies again), nothing waits for it.
    /// </summary>
    public async Task CompareAfterReloadAsync(string live, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            var pools = HaproxyConfigDiff.PoolsIn(live, definition.Runtime);
            if (await _applier.CompareAfterReloadAsync(pools, PoolCheckPatience, cancellationToken) is { } mismatch)
            {
                logger.LogWarning("After the reload of {Template} the running pool differs from the file: {Mismatch}", definition.Name, mismatch);
            }
        }
        catch (OperationCanceledException)
        {
            // shutting down: nobody is left to tell
        }
    }
}
