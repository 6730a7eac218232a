using CsCheck;

namespace Reconciler.Tests.Simulation;

/// <summary>A simulated run's input: whether the template changes HAProxy through its runtime API, and the steps.</summary>
internal sealed record Schedule(bool RuntimeApi, IReadOnlyList<Step> Steps)
{
    /// <summary>Writes and deliveries most often, faults less, so states pile up and reach dest between the faults.</summary>
    private static readonly Gen<StepKind> Kinds = Gen.Frequency(
        (6, StepKind.Put),
        (2, StepKind.Delete),
        (2, StepKind.Transaction),
        (8, StepKind.Deliver),
        (1, StepKind.Compact),
        (1, StepKind.Disconnect),
        (2, StepKind.Reconnect),
        (1, StepKind.Stall),
        (1, StepKind.RestoreToOlderRevision),
        (1, StepKind.Wipe),
        (2, StepKind.SetCheckOutcome),
        (2, StepKind.SetReloadOutcome),
        (1, StepKind.SetRuntimeApi),
        (6, StepKind.Advance),
        (1, StepKind.RestartDaemon));

    private static readonly Gen<Step> AnyStep = Gen.Select(Kinds, Gen.Int[0, 99], Gen.Int[0, 99], (kind, a, b) => new Step(kind, a, b));

    /// <summary>Schedules of 1 to <paramref name="maxSteps"/> steps; CsCheck shrinks a failing one to fewer, simpler steps.</summary>
    public static Gen<Schedule> Generator(int maxSteps) => Gen.Select(Gen.Bool, AnyStep.Array[1, maxSteps], (runtime, steps) => new Schedule(runtime, steps));

    public override string ToString() =>
        $"runtime API {(RuntimeApi ? "on" : "off")}, {Steps.Count} steps:\n" + string.Join("\n", Steps.Select((s, i) => $"  {i + 1}. {s}"));
}
