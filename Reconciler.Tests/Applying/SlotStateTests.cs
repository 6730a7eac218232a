using System.Runtime.Versioning;
using Reconciler.Actors.Applying;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Applying;

/// <summary>
/// haproxySlots' assignments kept in reconciler.state-dir: a restarted daemon (new services, new applier, new
/// compiled template) renders a dest whose keys did not change byte-identically, instances that had collided included.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class SlotStateTests : IDisposable
{
    private const string Slots = """{{ for slot in haproxySlots (instances "/apps/*") 16 }}{{ slot.number }}={{ slot.value?.name }}{{ "\n" }}{{ end }}""";

    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-slots-").FullName;

    private string Dest => Path.Combine(_folder, "haproxy.cfg");

    private string StateDir => Path.Combine(_folder, "state");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task After_a_restart_an_instance_that_had_collided_keeps_its_slot_and_the_file_stays_byte_identical()
    {
        var (first, second) = CollidingInstances();
        var both = State((first, "10.0.0.1:80"), (second, "10.0.0.2:80"));
        var secondOnly = State((second, "10.0.0.2:80"));
        await using (var before = new ApplyHarness(stateDir: StateDir))
        {
            var applier = before.Applier(TestTemplates.Definition(Dest), Slots);
            await before.ApplyAsync(applier, both);
            await before.ApplyAsync(applier, secondOnly); // the second keeps the slot next to its hash's, which the first had
        }

        var live = await File.ReadAllTextAsync(Dest);
        await using var after = new ApplyHarness(stateDir: StateDir);

        var restarted = await after.ApplyAsync(after.Applier(TestTemplates.Definition(Dest), Slots), secondOnly);

        Assert.Equal("Unchanged", ReconcileStatusOf(restarted));
        Assert.Equal(live, await File.ReadAllTextAsync(Dest));
        Assert.Single(Directory.GetFiles(Path.Combine(StateDir, "slots")), file => (File.GetUnixFileMode(file) & (UnixFileMode)0b111_111) == 0);
    }

    [Fact]
    public async Task Without_a_state_dir_the_restart_moves_it_which_is_what_the_state_dir_prevents()
    {
        var (first, second) = CollidingInstances();
        await using (var before = new ApplyHarness())
        {
            var applier = before.Applier(TestTemplates.Definition(Dest), Slots);
            await before.ApplyAsync(applier, State((first, "10.0.0.1:80"), (second, "10.0.0.2:80")));
            await before.ApplyAsync(applier, State((second, "10.0.0.2:80")));
        }

        await using var after = new ApplyHarness();
        var restarted = await after.ApplyAsync(after.Applier(TestTemplates.Definition(Dest), Slots), State((second, "10.0.0.2:80")));

        Assert.Equal("Written", ReconcileStatusOf(restarted));
    }

    [Fact]
    public async Task A_state_file_that_cannot_be_read_is_one_warning_and_is_replaced()
    {
        var applierState = SlotState.For(StateDir, Dest);
        Directory.CreateDirectory(Path.GetDirectoryName(applierState.Path)!);
        await File.WriteAllTextAsync(applierState.Path, "{ not json");
        await using var harness = new ApplyHarness(stateDir: StateDir);

        await harness.ApplyAsync(harness.Applier(TestTemplates.Definition(Dest), Slots), State(("web-1", "10.0.0.1:80")));

        Assert.Single(harness.Logs.Lines, l => l.Message.StartsWith("Cannot read the slot assignments t left in", StringComparison.Ordinal));
        Assert.Contains("\"calls\"", await File.ReadAllTextAsync(applierState.Path), StringComparison.Ordinal);
    }

    /// <summary>Two instance names whose registrations hash to the same one of 16 slots: the one that arrives second takes the next.</summary>
    private static (string First, string Second) CollidingInstances()
    {
        var names = Enumerable.Range(1, 200).Select(i => $"web-{i}").ToList();
        var second = names.Skip(1).First(n => SlotAssignments.HomeSlot($"{n} 10.0.0.2:80", 16) == SlotAssignments.HomeSlot($"{names[0]} 10.0.0.1:80", 16));
        return (names[0], second);
    }

    private static DesiredState State(params (string Name, string Address)[] instances) =>
        DesiredState.From(instances.Select(i => KeyValuePair.Create($"/apps/{i.Name}", $"{i.Name} {i.Address}")), 1);

    private static string ReconcileStatusOf(TemplateReconciled reconciled) => reconciled.Outcome.Status.ToString();
}
