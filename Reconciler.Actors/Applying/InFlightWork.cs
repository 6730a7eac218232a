using System.Collections.Concurrent;

namespace Reconciler.Actors.Applying;

/// <summary>
/// The reconciles and commands still running. Actors cancel them when they stop; the daemon
/// awaits them (bounded) before exiting, so a killed check never leaves its staged file behind.
/// </summary>
public sealed class InFlightWork
{
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    public void Track(Task work)
    {
        _running.TryAdd(work, 0);
        work.ContinueWith(done => _running.TryRemove(done, out _), TaskScheduler.Default);
    }

    /// <summary>Waits for everything running now, at most <paramref name="timeout"/>; true when all finished.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        var all = Task.WhenAll(_running.Keys);
        return await Task.WhenAny(all, Task.Delay(timeout)) == all;
    }
}
