using Reconciler.Actors.Runtime;

namespace Reconciler.Actors.Applying;

/// <summary>Why an apply reloads: the cause, and the one line the log, the journal and /healthz say.</summary>
public sealed record ReloadReason(ReloadCause Cause, string Why)
{
    private const string OwedWhy = "owed: the file was written by an earlier run, its reload not done";

    /// <summary>The cause as the reloads metric labels it: a small fixed set, so a label never carries free text.</summary>
    public string Label => Cause switch
    {
        ReloadCause.BeyondRuntime => "beyond-runtime",
        ReloadCause.Fallback => "fallback",
        ReloadCause.Owed => "owed",
        _ => "changed",
    };

    /// <param name="change">The written file's runtime change, if it was compared.</param>
    /// <param name="fallback">The runtime change that fell back to this reload, if one did.</param>
    /// <param name="logDiff">log-diff: off, a fallback's reason is left out (it may quote the file).</param>
    public static ReloadReason For(ReloadCause cause, RuntimeChange? change, RuntimeApplyResult? fallback, bool logDiff) => new(cause, cause switch
    {
        ReloadCause.Owed => OwedWhy,
        ReloadCause.Fallback when logDiff => $"runtime fallback ({fallback?.ReasonLabel}): {fallback?.Reason}",
        ReloadCause.Fallback => $"runtime fallback ({fallback?.ReasonLabel})",
        ReloadCause.BeyondRuntime => change?.ReloadReason ?? "the file changed",
        _ => "the file changed",
    });
}
