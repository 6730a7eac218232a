using Reconciler.Actors.Output;

namespace Reconciler.Actors.Applying;

// what waits in the queue: a reload command (joined by equal requests) or one runtime API change
public sealed partial class ReloadQueue
{
    private abstract class QueuedRun
    {
        public abstract string What { get; }

        /// <summary>False while its batch is not settled.</summary>
        public virtual bool MayStart => true;

        /// <summary>Completes when <see cref="MayStart"/> may have turned true.</summary>
        public virtual Task Ready => Task.CompletedTask;

        public abstract TimeSpan Bound(ReloadQueue queue);

        public abstract Task RunAsync(ReloadQueue queue, CancellationToken shutdown);

        public abstract void Abandon();
    }

    private sealed class QueuedReload(string command, ReloadBatch? batch) : QueuedRun
    {
        public string Command { get; } = command;

        public ReloadBatch? Batch { get; } = batch;

        public int Templates { get; set; }

        public TaskCompletionSource<ReloadRun> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override string What => $"reload-cmd {Command}";

        public override bool MayStart => Batch is null || Batch.IsSettled;

        public override Task Ready => Batch?.Settled ?? Task.CompletedTask;

        public override TimeSpan Bound(ReloadQueue queue) => queue.CommandTimeout;

        public override async Task RunAsync(ReloadQueue queue, CancellationToken shutdown)
        {
            CommandResult result;
            try
            {
                result = await queue.Runner.RunAsync(Command, queue.CommandTimeout, shutdown);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                result = new CommandResult(-1, e.Message, TimeSpan.Zero, TimedOut: false);
            }

            int templates;
            lock (queue._gate)
            {
                templates = Templates;
            }

            Result.TrySetResult(new ReloadRun(queue.NextRunNumber(), result, templates));
        }

        public override void Abandon() => Result.TrySetCanceled();
    }

    private sealed class QueuedWork<T>(string what, Func<CancellationToken, Task<T>> work, TimeSpan bound) : QueuedRun
    {
        public TaskCompletionSource<T> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override string What => what;

        public override TimeSpan Bound(ReloadQueue queue) => bound;

        public override async Task RunAsync(ReloadQueue queue, CancellationToken shutdown)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
            bounded.CancelAfter(bound);
            try
            {
                Result.TrySetResult(await work(bounded.Token));
            }
            catch (Exception e)
            {
                Result.TrySetException(e);
            }
        }

        public override void Abandon() => Result.TrySetCanceled();
    }
}
