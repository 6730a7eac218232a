namespace Reconciler.Actors.Runtime;

/// <summary>
/// What a written file means for a template with a runtime API: what the runtime API would change to bring the
/// running HAProxy to it, or why only a reload can.
/// </summary>
public abstract record RuntimeChange
{
    /// <summary>
    /// Why the change lies beyond what this runtime API changes (a line outside the server lines, say): a reload,
    /// and not a fallback. Null: the change is of the runtime API's kind.
    /// </summary>
    public virtual string? ReloadReason => null;

    /// <summary>Why the runtime API cannot apply this change of its kind: a fallback to a reload, counted (reason unsupported). Null: it can.</summary>
    public abstract string? Refusal { get; }

    /// <summary>How many admin socket commands the change takes (a batch of patterns is one).</summary>
    public abstract int CommandCount { get; }

    /// <summary>One line for <c>--noop</c> and the logs: runtime with how many commands, or reload and why.</summary>
    public string Summary => (ReloadReason ?? Refusal) is { } why ? $"reload ({why})" : $"runtime ({CommandCount} commands)";
}

/// <summary>Server lines of haproxy.cfg (runtime.type = haproxy): the file's difference and, when it lies only in server lines, its plan.</summary>
public sealed record HaproxyServersChange(HaproxyConfigDiff Diff, HaproxyRuntimePlan? Plan) : RuntimeChange
{
    public override string? ReloadReason => Plan is null ? Diff.ReloadReason ?? "no plan" : null;

    public override string? Refusal => Plan?.Refusal;

    public override int CommandCount => Plan?.CommandCount ?? 0;

    public static HaproxyServersChange Between(string live, string rendered, RuntimeSettings runtime)
    {
        var diff = HaproxyConfigDiff.Between(live, rendered, runtime);
        return new HaproxyServersChange(diff, diff.NeedsReload ? null : HaproxyRuntimePlan.For(diff.Changes));
    }
}
