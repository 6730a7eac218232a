using System.Globalization;
using CsCheck;
using Xunit.Abstractions;

namespace Reconciler.Tests.Simulation;

/// <summary>
/// Seeded schedules of writes and faults through the whole pipeline (<see cref="SimulationRun"/>). CI runs a fixed
/// budget; <c>scripts/simulate.sh --seeds N</c> a longer campaign, <c>--seed S</c> one schedule exactly again. A failure
/// is shrunk by CsCheck and printed with its seed.
/// </summary>
public sealed class SimulationTests : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>The CI budget: about 3 s a schedule on a loaded 2-core machine, so a little over a minute (docs/dev/testing.md).</summary>
    private const int CiSchedules = 25;

    private const int MaxSteps = 30;

    private const string ReplaySeed = "simulation00";

    private readonly ITestOutputHelper _output;

    public SimulationTests(ITestOutputHelper output)
        : base("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"", output: output)
    {
        _output = output;
    }

    [Fact]
    public void Every_invariant_holds_for_every_schedule()
    {
        var seed = Environment.GetEnvironmentVariable("SIMULATION_SEED");
        var count = Environment.GetEnvironmentVariable("SIMULATION_SEEDS") is { Length: > 0 } seeds ? long.Parse(seeds, CultureInfo.InvariantCulture) : CiSchedules;
        Schedule.Generator(MaxSteps).Sample(
            schedule => RunChecked(schedule),
            writeLine: _output.WriteLine,
            seed: seed,
            iter: seed is null ? count : 1,
            threads: 1,
            print: schedule => schedule.ToString());
    }

    /// <summary>Runs <see cref="ReplaySeed"/>'s schedule 3 times (SIMULATION_REPEAT to measure with more).</summary>
    [Fact]
    public void The_same_seed_gives_the_same_trace()
    {
        var schedule = Check.Single(Schedule.Generator(MaxSteps), _ => true, ReplaySeed);
        var repeat = Environment.GetEnvironmentVariable("SIMULATION_REPEAT") is { Length: > 0 } times ? int.Parse(times, CultureInfo.InvariantCulture) : 3;

        var traces = Enumerable.Range(0, repeat).Select(_ => RunChecked(schedule)).ToList();

        _output.WriteLine($"{schedule}\n" + string.Join("\n", traces[0]));
        _output.WriteLine($"{traces.Count(t => t.SequenceEqual(traces[0]))} of {repeat} runs gave the first run's trace");
        Assert.All(traces, trace => Assert.Equal(traces[0], trace));
    }

    /// <summary>Runs one schedule to its end; its trace, one line per step.</summary>
    private IReadOnlyList<string> RunChecked(Schedule schedule)
    {
        var run = new SimulationRun(this, schedule.RuntimeApi);
        try
        {
            run.Run(schedule.Steps);
            return run.Trace;
        }
        catch (SimulationFailure)
        {
            _output.WriteLine(string.Join("\n", run.Trace));
            throw;
        }
        finally
        {
            run.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
