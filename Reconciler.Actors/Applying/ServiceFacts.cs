using Reconciler.Actors.Runtime;

namespace Reconciler.Actors.Applying;

/// <summary>How a written file's change can reach HAProxy through the template's runtime API.</summary>
internal enum RuntimeFit
{
    /// <summary>No runtime API, or no live file to compare the render with.</summary>
    None,

    /// <summary>A change of the runtime API's kind (it may still refuse or fail it: a fallback).</summary>
    Fits,

    /// <summary>A change beyond the runtime API's kind (a line outside the server lines): only a reload brings it.</summary>
    Beyond,
}

/// <summary>What <see cref="ApplyDecision.ForService"/> decides on.</summary>
/// <param name="File">What the write did.</param>
/// <param name="WasOwed">A reload was owed before this apply wrote anything.</param>
/// <param name="IsOwed">A reload is owed now, after the write.</param>
internal sealed record ServiceFacts(ReconcileStatus File, RuntimeFit Runtime, bool HasReloadCommand, bool WasOwed, bool IsOwed, bool DryRun)
{
    public static RuntimeFit FitOf(RuntimeChange? change) => change switch
    {
        null => RuntimeFit.None,
        { ReloadReason: not null } => RuntimeFit.Beyond,
        _ => RuntimeFit.Fits,
    };
}
