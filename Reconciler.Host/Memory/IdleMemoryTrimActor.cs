using Akka.Actor;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Pipeline;

namespace Reconciler.Host.Memory;

/// <summary>
/// Gives memory back to the OS once the daemon has been idle for a while. The GC keeps what a burst of work grew the
/// heap into (its young-generation budget follows the CPU cache size: tens of MB on a server), and a daemon that then
/// idles for hours would hold it for nothing. After <c>reconciler.memory.trim-after-idle</c> without a reconcile, one
/// aggressive collection compacts the heap and returns the free part (measured: RSS 113 → 97 MB at 100 keys);
/// then nothing until the next reconcile has come and gone.
/// </summary>
internal sealed class IdleMemoryTrimActor : ReceiveActor, IWithTimers
{
    private const string IdleTimer = "idle";

    private readonly TimeSpan _idle;
    private readonly Action _trim;

    public IdleMemoryTrimActor(TimeSpan idle, Action trim)
    {
        _idle = idle;
        _trim = trim;
        Receive<TemplateReconciled>(_ => Timers.StartSingleTimer(IdleTimer, IdleFor.Instance, _idle));
        Receive<IdleFor>(_ => Task.Run(_trim));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>What it listens to: every reconcile restarts the idle period.</summary>
    public static IReadOnlyList<Type> Topics { get; } = [typeof(TemplateReconciled)];

    /// <param name="trim">The collection to run; a full, compacting, decommitting GC unless a test passes its own.</param>
    public static Props Props(TimeSpan idle, Action? trim = null) =>
        Akka.Actor.Props.Create(() => new IdleMemoryTrimActor(idle, trim ?? CollectAndDecommit));

    protected override void PreStart() => Timers.StartSingleTimer(IdleTimer, IdleFor.Instance, _idle);

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private static void CollectAndDecommit() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    private sealed record IdleFor
    {
        public static readonly IdleFor Instance = new();
    }
}
