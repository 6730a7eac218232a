using System.Globalization;

namespace Reconciler.Tests.Simulation;

/// <summary>One step of a schedule: its kind and two numbers that pick its key, value, outcome or duration.</summary>
internal sealed record Step(StepKind Kind, int A, int B)
{
    private const int Keys = 5;

    public string Key => $"/apps/k{A % Keys}";

    public string Value => $"v{B % 4}";

    /// <summary>How much virtual time an <see cref="StepKind.Advance"/> takes: 100 ms to 10 s.</summary>
    public TimeSpan Duration => TimeSpan.FromMilliseconds(100 * (1 + (B % 100)));

    public override string ToString() => Kind switch
    {
        StepKind.Put => $"put {Key}={Value}",
        StepKind.Delete => $"delete {Key}",
        StepKind.Transaction => $"txn put {Key}={Value}, delete /apps/k{(A + 1) % Keys}",
        StepKind.Deliver => $"deliver (pick {A}, up to {1 + (B % 3)} revisions)",
        StepKind.Compact => $"compact (back {1 + (B % 5)})",
        StepKind.RestoreToOlderRevision => $"restore (back {1 + (B % 5)}, {(A % 2 == 0 ? "same cluster id, revision bumped" : "new cluster id")})",
        StepKind.SetCheckOutcome => $"check-cmd {(CommandOutcome)(B % 4)}",
        StepKind.SetReloadOutcome => $"reload-cmd {(CommandOutcome)(B % 4)}",
        StepKind.SetRuntimeApi => $"runtime API {(RuntimeApiBehaviour)(B % 4)}",
        StepKind.Advance => string.Create(CultureInfo.InvariantCulture, $"advance {Duration.TotalSeconds}s"),
        StepKind.RestartDaemon => "restart the daemon",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
