using System.Globalization;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Runtime;

namespace Reconciler.Actors.Applying;

/// <summary>
/// A template's runtime API (runtime.type): applies a written file's change over HAProxy's admin socket in the
/// reloader's turn (<c>Pipeline/ReloaderActor</c>: never while a reload runs), and after every reload compares what HAProxy runs with the
/// file. The file is the truth; the socket is only a faster way to the same state.
/// </summary>
internal sealed class RuntimeApply
{
    // one admin socket command; HAProxy answers in microseconds, so this only bounds a wedged one
    private static readonly TimeSpan SocketTimeout = TimeSpan.FromSeconds(5);

    // how long a reloaded HAProxy gets to show the file's state on its admin socket
    private static readonly TimeSpan ReloadedPatience = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan ReloadedPoll = TimeSpan.FromMilliseconds(100);

    private readonly TemplateDefinition _definition;
    private readonly IHaproxyRuntimeApi _api;

    /// <param name="api">A simulated HAProxy's (tests); null = the admin socket's of runtime.type.</param>
    public RuntimeApply(TemplateDefinition definition, IHaproxyRuntimeApi? api = null)
    {
        _definition = definition;
        _api = api ?? ApiFor(definition);
    }

    private static IHaproxyRuntimeApi ApiFor(TemplateDefinition definition)
    {
        var runtime = definition.Runtime;
        var client = new HaproxyRuntimeClient(runtime.Socket, SocketTimeout);
        var name = runtime.NameFor(definition.Dest);
        return runtime.Type switch
        {
            RuntimeSettings.HaproxyMap => new HaproxyPatternsApi(isMap: true, name, client),
            RuntimeSettings.HaproxyAcl => new HaproxyPatternsApi(isMap: false, name, client),
            RuntimeSettings.HaproxyCert => new HaproxyCertificateApi(name, client),
            _ => new HaproxyServersApi(runtime, client),
        };
    }

    /// <summary>Why the rendered file must not replace dest (HAProxy would refuse it); null when it may.</summary>
    public string? Unfit(Func<string> rendered) => _api.Unfit(rendered);

    /// <summary>How <paramref name="live"/> → <paramref name="rendered"/> can reach HAProxy: what the runtime API would change, or why only a reload can.</summary>
    public RuntimeChange ChangeBetween(string live, string rendered) => _api.ChangeBetween(live, rendered);

    /// <summary>Applies <paramref name="change"/> in <paramref name="reloader"/>'s turn, within the runtime API's bound once its turn came.</summary>
    public async Task<RuntimeApplyResult> ApplyAsync(RuntimeChange change, TimeSpan commandTimeout, IActorRef reloader, CancellationToken cancellationToken)
    {
        if ((change.ReloadReason ?? change.Refusal) is { } refusal)
        {
            return RuntimeApplyResult.FellBack(RuntimeFallback.Unsupported, refusal);
        }

        if (change.CommandCount == 0)
        {
            return RuntimeApplyResult.Done(0, TimeSpan.Zero); // HAProxy runs this already (a comment changed, a mode): not worth a turn
        }

        var bound = _api.BoundFor(change, commandTimeout);
        try
        {
            return await reloader.Ask<RuntimeApplyResult>(
                new RuntimeChangeRequested($"runtime change of {_definition.Name}", token => _api.ApplyAsync(change, token), bound), timeout: null, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return RuntimeApplyResult.FellBack(RuntimeFallback.Socket, string.Create(CultureInfo.InvariantCulture, $"no result within {bound.TotalSeconds:0.###}s"));
        }
    }

    /// <summary>
    /// A reload makes HAProxy read the file; what it runs should now be the file's. Read-only commands, not in the reloader's turn,
    /// polled while the new worker comes up: a difference is logged (the next change reloads or applies again),
    /// nothing waits for it.
    /// </summary>
    public async Task CompareAfterReloadAsync(string live, ILogger logger, CancellationToken cancellationToken)
    {
        var waited = TimeProvider.System.GetTimestamp();
        try
        {
            while (true)
            {
                string? mismatch;
                try
                {
                    mismatch = await _api.CompareAsync(live, cancellationToken);
                }
                catch (HaproxySocketException e)
                {
                    mismatch = e.Message; // the new worker may not have its socket yet
                }

                if (mismatch is null)
                {
                    return;
                }

                if (TimeProvider.System.GetElapsedTime(waited) >= ReloadedPatience)
                {
                    logger.LogWarning("After the reload of {Template} HAProxy runs other than the file: {Mismatch}", _definition.Name, mismatch);
                    return;
                }

                await Task.Delay(ReloadedPoll, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // shutting down: nobody is left to tell
        }
    }
}
