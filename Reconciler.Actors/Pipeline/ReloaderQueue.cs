using System.Collections.Immutable;
using Akka.Actor;
using Reconciler.Actors.Applying;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// What waits for the reloader, in order of arrival, and the batches still open (their templates not all arrived):
/// immutable, each change a new value. A reload request equal to one that waits (same command, same batch or none)
/// joins it; one for a command that runs now waits for the next run, since the running one may predate its file.
/// </summary>
internal sealed record ReloaderQueue(ImmutableList<ReloaderJob> Waiting, ImmutableDictionary<ReloadBatch, ImmutableHashSet<string>> OpenBatches)
{
    public static readonly ReloaderQueue Empty = new([], ImmutableDictionary.Create<ReloadBatch, ImmutableHashSet<string>>(ReferenceEqualityComparer.Instance));

    public bool IsEmpty => Waiting.IsEmpty;

    public ReloaderQueue Reload(ReloadRequested request, IActorRef requester)
    {
        var arrived = request.Batch is { } batch ? Arrive(batch, request.Template) : this;
        return arrived.Waiting.OfType<ReloadJob>().FirstOrDefault(job => job.Joins(request)) is { } joined
            ? arrived with { Waiting = arrived.Waiting.Replace(joined, joined with { Requesters = joined.Requesters.Add(requester) }) }
            : arrived with { Waiting = arrived.Waiting.Add(new ReloadJob(request.Command, request.Batch, [requester])) };
    }

    public ReloaderQueue RuntimeChange(RuntimeChangeRequested change, IActorRef requester) =>
        this with { Waiting = Waiting.Add(new RuntimeJob(change, requester)) };

    public ReloaderQueue Open(ReloadBatch batch) => this with { OpenBatches = OpenBatches.SetItem(batch, batch.Templates) };

    /// <summary><paramref name="template"/> is done with <paramref name="batch"/>; once all are, the batch is settled. A second arrival is no news.</summary>
    public ReloaderQueue Arrive(ReloadBatch batch, string template)
    {
        if (!OpenBatches.TryGetValue(batch, out var outstanding))
        {
            return this;
        }

        var left = outstanding.Remove(template);
        return this with { OpenBatches = left.IsEmpty ? OpenBatches.Remove(batch) : OpenBatches.SetItem(batch, left) };
    }

    /// <summary>Its patience ran out: the batch's reload waits no longer for the templates that did not arrive.</summary>
    public ReloaderQueue Settle(ReloadBatch batch) => this with { OpenBatches = OpenBatches.Remove(batch) };

    /// <summary>
    /// The first job that may start now, and the queue without it; null when none may. A reload may not while its
    /// batch is open or while its command's min-reload-interval runs (<paramref name="resting"/>); other work is not held up.
    /// </summary>
    public (ReloaderJob Job, ReloaderQueue Remaining)? Next(Func<string, bool> resting) =>
        Waiting.FirstOrDefault(job => job is not ReloadJob reload || (!IsOpen(reload.Batch) && !resting(reload.Command))) is { } next
            ? (next, this with { Waiting = Waiting.Remove(next) })
            : null;

    private bool IsOpen(ReloadBatch? batch) => batch is not null && OpenBatches.ContainsKey(batch);
}
