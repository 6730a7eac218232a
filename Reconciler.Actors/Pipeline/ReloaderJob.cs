using System.Collections.Immutable;
using Akka.Actor;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Output;
using Reconciler.Actors.Runtime;

namespace Reconciler.Actors.Pipeline;

/// <summary>What waits for the reloader's turn: a reload command (joined by equal requests) or one runtime API change.</summary>
internal abstract record ReloaderJob
{
    /// <summary>What it runs, for the watchdog.</summary>
    public abstract string What { get; }

    /// <summary>Answers whoever waits for it with how it ended (a <see cref="CommandResult"/>, a <see cref="RuntimeApplyResult"/> or a failure).</summary>
    public abstract void Answer(long number, object ending);

    /// <summary>Answers whoever waits for it that it will not run in this incarnation of the reloader, with <paramref name="why"/>.</summary>
    public abstract void Abandon(long number, string why);
}

/// <summary>A reload command for <paramref name="Requesters"/> (one per template joined), of <paramref name="Batch"/> or none.</summary>
internal sealed record ReloadJob(string Command, ReloadBatch? Batch, ImmutableList<IActorRef> Requesters) : ReloaderJob
{
    public override string What => $"reload-cmd {Command}";

    /// <summary>An equal request waits: it joins this run instead of running again.</summary>
    public bool Joins(ReloadRequested request) => request.Command == Command && ReferenceEquals(request.Batch, Batch);

    public override void Answer(long number, object ending)
    {
        var result = ending as CommandResult ?? new CommandResult(-1, (ending as Status.Failure)?.Cause.Message ?? "no result", TimeSpan.Zero, TimedOut: false);
        var run = new ReloadRun(number, result, Requesters.Count);
        foreach (var requester in Requesters)
        {
            requester.Tell(run);
        }
    }

    // a reload that did not run leaves the dest's reload owed (not rolled back): its renderer retries, the next reload pays it
    public override void Abandon(long number, string why) => Answer(number, new CommandResult(-1, why, TimeSpan.Zero, TimedOut: false, Cancelled: true));
}

/// <summary>One runtime API change, for <paramref name="Requester"/>.</summary>
internal sealed record RuntimeJob(RuntimeChangeRequested Change, IActorRef Requester) : ReloaderJob
{
    public override string What => Change.What;

    public override void Answer(long number, object ending) => Requester.Tell(ending);

    // the change falls back to a reload, which the applier asks for next
    public override void Abandon(long number, string why) => Requester.Tell(RuntimeApplyResult.FellBack(RuntimeFallback.Socket, why));
}
