namespace Reconciler.Actors.Runtime;

/// <summary>
/// What a written file means for a template with a runtime API: the difference from the file HAProxy runs, and when
/// it lies only in server lines, the plan that applies it without a reload.
/// </summary>
public sealed record RuntimeChange(HaproxyConfigDiff Diff, HaproxyRuntimePlan? Plan)
{
    public static RuntimeChange Between(string live, string rendered, RuntimeSettings runtime)
    {
        var diff = HaproxyConfigDiff.Between(live, rendered, runtime);
        return new RuntimeChange(diff, diff.NeedsReload ? null : HaproxyRuntimePlan.For(diff.Changes));
    }

    /// <summary>One line for <c>--noop</c> and the logs: runtime with how many commands, or reload and why.</summary>
    public string Summary => Plan switch
    {
        null => $"reload ({Diff.ReloadReason})",
        { Refusal: { } refusal } => $"reload ({refusal})",
        _ => $"runtime ({Plan.CommandCount} commands)",
    };
}
