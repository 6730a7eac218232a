using Reconciler.Actors.Runtime;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Simulation;

public sealed class SimulatedCommandsTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _folder = Directory.CreateTempSubdirectory("sim-commands-").FullName;
    private readonly List<TimeSpan> _waited = [];
    private readonly SimulatedHaproxy _haproxy = new();
    private readonly SimulatedCommands _commands;

    public SimulatedCommandsTests()
    {
        _commands = new SimulatedCommands(PathOf("dest"), _haproxy, (delay, _) =>
        {
            _waited.Add(delay);
            return Task.CompletedTask;
        });
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(CommandOutcome.Ok, true, false, 0)]
    [InlineData(CommandOutcome.Fail, false, false, 0)]
    [InlineData(CommandOutcome.Timeout, false, true, 10)]
    [InlineData(CommandOutcome.Slow, true, false, 1)]
    public async Task A_check_ends_as_the_schedule_says_and_records_the_staged_content(CommandOutcome outcome, bool succeeded, bool timedOut, int seconds)
    {
        File.WriteAllText(PathOf("it's staged"), "content");
        _commands.CheckOutcome = outcome;

        var result = await _commands.RunAsync("check " + TestTemplates.Quote(PathOf("it's staged")), Timeout, CancellationToken.None);

        Assert.Equal((succeeded, timedOut), (result.Succeeded, result.TimedOut));
        Assert.Equal(seconds, _waited.Sum(w => w.TotalSeconds));
        Assert.Equal(new CommandRun(CommandKind.Check, "content", succeeded), _commands.Runs.Single());
    }

    [Fact]
    public async Task Only_a_successful_reload_brings_the_service_to_dest()
    {
        File.WriteAllText(PathOf("dest"), "one");
        await _commands.RunAsync(SimulatedCommands.Reload, Timeout, CancellationToken.None);
        File.WriteAllText(PathOf("dest"), "two");
        _commands.ReloadOutcome = CommandOutcome.Fail;

        await _commands.RunAsync(SimulatedCommands.Reload, Timeout, CancellationToken.None);

        Assert.Equal("one", _haproxy.Running);
        Assert.Equal([true, false], _commands.Runs.Select(r => r.Succeeded));
    }

    [Fact]
    public async Task A_slow_command_cancelled_meanwhile_says_so()
    {
        var commands = new SimulatedCommands(PathOf("dest"), _haproxy, (_, _) => Task.FromCanceled(new CancellationToken(canceled: true)))
        {
            ReloadOutcome = CommandOutcome.Slow,
        };

        var result = await commands.RunAsync(SimulatedCommands.Reload, Timeout, CancellationToken.None);

        Assert.True(result.Cancelled);
        Assert.Null(_haproxy.Running);
    }

    [Theory]
    [InlineData(RuntimeApiBehaviour.Accept, true, "new", null)]
    [InlineData(RuntimeApiBehaviour.Refuse, false, "old", "refused")]
    [InlineData(RuntimeApiBehaviour.Unreachable, false, "old", "socket")]
    [InlineData(RuntimeApiBehaviour.Disagree, false, "new# read back otherwise\n", "mismatch")]
    public async Task The_runtime_api_answers_as_the_schedule_says(RuntimeApiBehaviour behaviour, bool applied, string running, string? label)
    {
        _haproxy.Reload("old");
        _haproxy.Behaviour = behaviour;

        var result = await _haproxy.ApplyAsync(_haproxy.ChangeBetween("old", "new"), CancellationToken.None);

        Assert.Equal((applied, label, running), (result.Applied, result.ReasonLabel, _haproxy.Running));
    }

    [Fact]
    public async Task An_unreachable_socket_cannot_be_compared_and_an_unchanged_file_takes_no_command()
    {
        _haproxy.Behaviour = RuntimeApiBehaviour.Unreachable;

        await Assert.ThrowsAsync<HaproxySocketException>(() => _haproxy.CompareAsync("x", CancellationToken.None));
        Assert.Equal(0, _haproxy.ChangeBetween("same", "same").CommandCount);
    }

    private string PathOf(string name) => Path.Combine(_folder, name);
}
