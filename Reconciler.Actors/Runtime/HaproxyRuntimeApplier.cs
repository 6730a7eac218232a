using System.Collections.Immutable;
using System.Diagnostics;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// Runs a <see cref="HaproxyRuntimePlan"/> over the admin socket, then reads the pools back and compares them with
/// the file. Stops at the first refusal; the caller then reloads, which makes HAProxy match the file whatever was
/// applied so far.
/// </summary>
internal sealed class HaproxyRuntimeApplier(HaproxyRuntimeClient client, TimeSpan drainTimeout)
{
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(100);

    public async Task<RuntimeApplyResult> ApplyAsync(HaproxyRuntimePlan plan, IReadOnlyDictionary<string, ImmutableArray<HaproxyServerLine>> pools, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var sent = 0;
        if (plan.Refusal is { } refusal)
        {
            return RuntimeApplyResult.FellBack(RuntimeFallback.Unsupported, refusal);
        }

        try
        {
            foreach (var step in plan.Steps)
            {
                var failure = step switch
                {
                    HaproxyCommand command => await SendAsync(command, cancellationToken),
                    HaproxyAwaitDrained drain => await AwaitDrainedAsync(drain.Servers, cancellationToken),
                    _ => throw new InvalidOperationException($"unknown runtime step {step}"),
                };
                sent += step is HaproxyCommand ? 1 : 0;
                if (failure is not null)
                {
                    return failure with { Commands = sent, Duration = watch.Elapsed };
                }
            }

            var mismatch = await CompareAsync(pools, cancellationToken);
            return mismatch is null
                ? RuntimeApplyResult.Done(sent, watch.Elapsed)
                : RuntimeApplyResult.FellBack(RuntimeFallback.Mismatch, mismatch, sent, watch.Elapsed);
        }
        catch (HaproxySocketException e)
        {
            return RuntimeApplyResult.FellBack(RuntimeFallback.Socket, e.Message, sent, watch.Elapsed);
        }
    }

    /// <summary>Reads the pools back; null when they match the file, else what differs.</summary>
    public async Task<string?> CompareAsync(IReadOnlyDictionary<string, ImmutableArray<HaproxyServerLine>> pools, CancellationToken cancellationToken)
    {
        foreach (var (backend, expected) in pools)
        {
            var answer = await client.SendAsync($"show servers state {backend}", cancellationToken);
            var running = HaproxyRunningServer.ParseState(answer).ToDictionary(s => s.Name, StringComparer.Ordinal);
            if (running.Count == 0 && expected.Length > 0)
            {
                return $"backend {backend}: show servers state answered {HaproxyAnswer.FirstLine(answer)}";
            }

            foreach (var server in expected)
            {
                if (!running.Remove(server.Name, out var live))
                {
                    return $"server {backend}/{server.Name} is missing";
                }

                if (live.Host != server.Host || live.Port != server.Port)
                {
                    return $"server {backend}/{server.Name} runs at {live.Host}:{live.Port}, not {server.Address}";
                }

                if (live.InMaintenance != server.Disabled || live.Weight != server.Weight)
                {
                    return $"server {backend}/{server.Name} is {(live.InMaintenance ? "in maintenance" : "ready")} with weight {live.Weight}";
                }
            }

            if (running.Count > 0)
            {
                return $"server {backend}/{running.Keys.First()} runs but is not in the file";
            }
        }

        return null;
    }

    private async Task<RuntimeApplyResult?> SendAsync(HaproxyCommand command, CancellationToken cancellationToken)
    {
        var answer = await client.SendAsync(command.Command, cancellationToken);
        return command.Succeeded(answer) ? null : RuntimeApplyResult.FellBack(RuntimeFallback.Refused, $"HAProxy refused '{command.Command}': {HaproxyAnswer.Summary(answer)}");
    }

    private async Task<RuntimeApplyResult?> AwaitDrainedAsync(ImmutableArray<string> servers, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var load = HaproxyRunningServer.ParseLoad(await client.SendAsync("show stat -1 4 -1", cancellationToken));
            var busy = servers.FirstOrDefault(s => load.GetValueOrDefault(s) > 0);
            if (busy is null)
            {
                return null;
            }

            if (deadline.Elapsed >= drainTimeout)
            {
                return RuntimeApplyResult.FellBack(RuntimeFallback.DrainTimeout, $"server {busy} still had {load[busy]} sessions after runtime.drain-timeout ({drainTimeout.TotalSeconds:0.#}s)");
            }

            await Task.Delay(DrainPoll, cancellationToken);
        }
    }
}
