using Reconciler.Actors.Runtime;

namespace Reconciler.Tests.Simulation;

/// <summary>
/// The service a template's reload-cmd reloads, and its runtime API: what it runs (<see cref="Running"/>) is the dest
/// content of its last successful reload or the last runtime change it took. Every runtime change is one command.
/// </summary>
internal sealed class SimulatedHaproxy : IHaproxyRuntimeApi
{
    private readonly Lock _gate = new();
    private string? _running;

    public RuntimeApiBehaviour Behaviour { get; set; } = RuntimeApiBehaviour.Accept;

    /// <summary>What the service runs now; null before its first reload.</summary>
    public string? Running
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    /// <summary>Runtime changes taken and read back as asked.</summary>
    public int RuntimeChanges { get; private set; }

    public void Reload(string content)
    {
        lock (_gate)
        {
            _running = content;
        }
    }

    public string? Unfit(Func<string> rendered) => null;

    public RuntimeChange ChangeBetween(string live, string rendered) => new SimulatedRuntimeChange(rendered, live == rendered ? 0 : 1);

    public TimeSpan BoundFor(RuntimeChange change, TimeSpan commandTimeout) => commandTimeout;

    public Task<RuntimeApplyResult> ApplyAsync(RuntimeChange change, CancellationToken cancellationToken)
    {
        var rendered = ((SimulatedRuntimeChange)change).Rendered;
        lock (_gate)
        {
            switch (Behaviour)
            {
                case RuntimeApiBehaviour.Refuse:
                    return Task.FromResult(RuntimeApplyResult.FellBack(RuntimeFallback.Refused, "simulated HAProxy refused the change", 1));
                case RuntimeApiBehaviour.Unreachable:
                    return Task.FromResult(RuntimeApplyResult.FellBack(RuntimeFallback.Socket, "simulated HAProxy's socket is unreachable"));
                case RuntimeApiBehaviour.Disagree:
                    _running = rendered + "# read back otherwise\n";
                    return Task.FromResult(RuntimeApplyResult.FellBack(RuntimeFallback.Mismatch, "simulated HAProxy reads back other than asked", 1));
                default:
                    _running = rendered;
                    RuntimeChanges++;
                    return Task.FromResult(RuntimeApplyResult.Done(1, TimeSpan.Zero));
            }
        }
    }

    public Task<string?> CompareAsync(string file, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Behaviour == RuntimeApiBehaviour.Unreachable
                ? Task.FromException<string?>(new HaproxySocketException("simulated HAProxy's socket is unreachable"))
                : Task.FromResult(_running == file ? null : "simulated HAProxy runs other than the file");
        }
    }

    /// <summary>The whole rendered file is the change: the simulation compares contents, not HAProxy's objects.</summary>
    private sealed record SimulatedRuntimeChange(string Rendered, int Commands) : RuntimeChange
    {
        public override string? Refusal => null;

        public override int CommandCount => Commands;
    }
}
