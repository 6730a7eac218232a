using System.Collections.Immutable;
using Akka.Actor;

namespace Reconciler.Actors.Pipeline;

/// <summary>The <see cref="ReloaderActor"/>'s data in each of its states: what waits, and who waits for a drain.</summary>
internal abstract record ReloaderState(ReloaderQueue Queue, ImmutableList<IActorRef> Drainers);

/// <summary>Nothing runs: what waits may not start yet (its batch is open, or its command rests).</summary>
internal sealed record IdleState(ReloaderQueue Queue, ImmutableList<IActorRef> Drainers) : ReloaderState(Queue, Drainers);

/// <summary>
/// <paramref name="Job"/> runs since <paramref name="Since"/> (the scheduler's monotonic clock), as run
/// <paramref name="Number"/>; <paramref name="Stop"/> kills it; <paramref name="BoundPassed"/> once its timeout passed.
/// </summary>
internal sealed record RunningState(
    ReloaderQueue Queue,
    ImmutableList<IActorRef> Drainers,
    ReloaderJob Job,
    long Number,
    CancellationTokenSource Stop,
    TimeSpan Since,
    TimeSpan Bound,
    bool BoundPassed) : ReloaderState(Queue, Drainers);
