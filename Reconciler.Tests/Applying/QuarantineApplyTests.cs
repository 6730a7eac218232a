using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Journal;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;
using static Reconciler.Tests.Fixtures.TestTemplates;

namespace Reconciler.Tests.Applying;

/// <summary>
/// Quarantine through the one apply path, with a check command that refuses any file holding "evil" and counts its
/// runs: the bad value is left out, the good ones applied, each refused key reported once and retried when it changes.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class QuarantineApplyTests : IAsyncDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ApplyHarness _apply = new();
    private readonly string _dest;
    private readonly string _checks;

    public QuarantineApplyTests()
    {
        _dest = _folder["app.cfg"];
        _checks = _folder["checks"];
    }

    private string RefusesEvil => $"echo run >> {Quote(_checks)}; ! grep -q evil {{{{src}}}} || {{ echo \"[ALERT] config : parsing [{{{{src}}}}] : evil value\" >&2; false; }}";

    private int Checks => File.Exists(_checks) ? File.ReadAllLines(_checks).Length : 0;

    public async ValueTask DisposeAsync()
    {
        await _apply.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_refused_new_key_is_left_out_and_the_good_change_beside_it_applies()
    {
        var applier = _apply.Applier(Definition(_dest, check: RefusesEvil));
        await Apply(applier, StateOf(1, ("a", "1")));

        var outcome = await Apply(applier, StateOf(2, ("a", "1"), ("b", "2"), ("x", "evil")));

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal("/apps/a=1\n/apps/b=2\n", File.ReadAllText(_dest));
        var quarantined = Assert.Single(outcome.Quarantined);
        Assert.Equal("/apps/x", quarantined.Key);
        Assert.StartsWith("exit 1: [ALERT] config : parsing", quarantined.Reason, StringComparison.Ordinal);
        Assert.Single(_apply.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("quarantines key /apps/x", StringComparison.Ordinal));
        Assert.Equal(["app.cfg"], _folder.FileNames().Where(n => n != "checks")); // no staged trial left behind
    }

    [Fact]
    public async Task A_quarantined_key_stays_out_across_other_changes_said_once_and_applies_when_it_changes_again()
    {
        var applier = _apply.Applier(Definition(_dest, check: RefusesEvil));
        await Apply(applier, StateOf(1, ("a", "1")));
        await Apply(applier, StateOf(2, ("a", "1"), ("x", "evil")));
        var checksBefore = Checks;

        var later = await Apply(applier, StateOf(3, ("a", "1"), ("c", "3"), ("x", "evil")));

        Assert.Equal(ReconcileStatus.Written, later.Status);
        Assert.Equal("/apps/a=1\n/apps/c=3\n", File.ReadAllText(_dest));
        Assert.Equal("/apps/x", Assert.Single(later.Quarantined).Key);
        Assert.Equal(checksBefore + 1, Checks); // held before the render: one check, no search
        Assert.Single(_apply.Logs.Lines, l => l.Message.Contains("quarantines key /apps/x", StringComparison.Ordinal));

        var fixedUp = await Apply(applier, StateOf(4, ("a", "1"), ("c", "3"), ("x", "fine")));

        Assert.Equal(ReconcileStatus.Written, fixedUp.Status);
        Assert.Equal("/apps/a=1\n/apps/c=3\n/apps/x=fine\n", File.ReadAllText(_dest));
        Assert.Empty(fixedUp.Quarantined);
        Assert.Single(_apply.Logs.Lines, l => l.Message.Contains("retries quarantined key /apps/x", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_change_of_an_existing_key_keeps_its_last_good_value_until_it_is_deleted()
    {
        var applier = _apply.Applier(Definition(_dest, check: RefusesEvil));
        await Apply(applier, StateOf(1, ("a", "1"), ("x", "ok")));

        var outcome = await Apply(applier, StateOf(2, ("a", "2"), ("x", "evil")));

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal("/apps/a=2\n/apps/x=ok\n", File.ReadAllText(_dest));
        Assert.Equal("/apps/x", Assert.Single(outcome.Quarantined).Key);

        var deleted = await Apply(applier, StateOf(3, ("a", "2")));

        Assert.Equal("/apps/a=2\n", File.ReadAllText(_dest));
        Assert.Empty(deleted.Quarantined);
    }

    [Fact]
    public async Task A_change_made_in_two_steps_applies_whole_once_its_second_step_arrives()
    {
        // a certificate, then its key: the first step alone is refused and held; the second passes only with it
        const string Matching = """c=$(sed -n 's#^/apps/cert=##p' {{src}}); k=$(sed -n 's#^/apps/key=##p' {{src}}); test "$c" = "$k" || { echo "[ALERT] the key is not the certificate's" >&2; false; }""";
        var applier = _apply.Applier(Definition(_dest, check: Matching));
        await Apply(applier, StateOf(1, ("cert", "1"), ("key", "1")));

        var first = await Apply(applier, StateOf(2, ("cert", "2"), ("key", "1")));

        Assert.Equal(ReconcileStatus.Unchanged, first.Status);
        Assert.Equal("/apps/cert", Assert.Single(first.Quarantined).Key);

        var second = await Apply(applier, StateOf(3, ("cert", "2"), ("key", "2")));

        Assert.Equal(ReconcileStatus.Written, second.Status);
        Assert.Equal("/apps/cert=2\n/apps/key=2\n", File.ReadAllText(_dest));
        Assert.Empty(second.Quarantined);
        Assert.Single(_apply.Logs.Lines, l => l.Message.Contains("retries quarantined key /apps/cert", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_refused_key_joins_the_held_one_which_is_not_said_again()
    {
        var applier = _apply.Applier(Definition(_dest, check: RefusesEvil));
        await Apply(applier, StateOf(1, ("a", "1")));
        await Apply(applier, StateOf(2, ("a", "1"), ("x", "evil")));

        var outcome = await Apply(applier, StateOf(3, ("a", "1"), ("b", "2"), ("x", "evil"), ("y", "evil too")));

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal("/apps/a=1\n/apps/b=2\n", File.ReadAllText(_dest));
        Assert.Equal(["/apps/x", "/apps/y"], outcome.Quarantined.Select(q => q.Key));
        Assert.Single(_apply.Logs.Lines, l => l.Message.Contains("quarantines key /apps/x", StringComparison.Ordinal));
        Assert.Single(_apply.Logs.Lines, l => l.Message.Contains("quarantines key /apps/y", StringComparison.Ordinal));
        Assert.DoesNotContain(_apply.Logs.Lines, l => l.Message.Contains("retries", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_passing_check_costs_one_check_and_nothing_more()
    {
        var applier = _apply.Applier(Definition(_dest, check: RefusesEvil));

        await Apply(applier, StateOf(1, ("a", "1")));
        await Apply(applier, StateOf(2, ("a", "1"), ("b", "2")));

        Assert.Equal(2, Checks);
    }

    [Fact]
    public async Task A_refusal_with_every_change_set_back_is_a_failed_check_as_without_quarantine()
    {
        var marker = _folder["accept"];
        var applier = _apply.Applier(Definition(_dest, check: $"echo run >> {Quote(_checks)}; test -e {Quote(marker)}"));
        File.WriteAllText(marker, "");
        await Apply(applier, StateOf(1, ("a", "1")));
        File.Delete(marker); // the environment changed: no key is to blame

        var outcome = await Apply(applier, StateOf(2, ("a", "1"), ("b", "2")));

        Assert.Equal(ReconcileStatus.CheckFailed, outcome.Status);
        Assert.Empty(outcome.Quarantined);
        Assert.Equal("/apps/a=1\n", File.ReadAllText(_dest));
        Assert.Equal(3, Checks); // the first apply's, the refused one, and one with every change set back
    }

    [Fact]
    public async Task A_retry_of_a_revision_the_search_found_nothing_in_runs_the_check_once_and_the_next_change_searches_again()
    {
        var marker = _folder["accept"];
        var applier = _apply.Applier(Definition(_dest, check: $"echo run >> {Quote(_checks)}; test -e {Quote(marker)}"));
        File.WriteAllText(marker, "");
        await Apply(applier, StateOf(1, ("a", "1")));
        File.Delete(marker);
        await Apply(applier, StateOf(2, ("a", "1"), ("b", "2"))); // refused, and refused with every change set back

        var retried = await Apply(applier, StateOf(2, ("a", "1"), ("b", "2")));

        Assert.Equal(ReconcileStatus.CheckFailed, retried.Status);
        Assert.Equal(4, Checks); // the retry's own check, no trial
        await Apply(applier, StateOf(3, ("a", "1"), ("b", "2"), ("c", "3")));
        Assert.Equal(6, Checks); // a new revision: its check and the search's first trial
    }

    [Fact]
    public async Task With_quarantine_off_one_refused_value_holds_back_every_change()
    {
        var applier = _apply.Applier(Definition(_dest, check: RefusesEvil) with { Quarantine = QuarantineSettings.Off });
        await Apply(applier, StateOf(1, ("a", "1")));

        var outcome = await Apply(applier, StateOf(2, ("a", "1"), ("b", "2"), ("x", "evil")));

        Assert.Equal(ReconcileStatus.CheckFailed, outcome.Status);
        Assert.Equal("/apps/a=1\n", File.ReadAllText(_dest));
        Assert.Equal(2, Checks);
    }

    [Fact]
    public async Task A_first_apply_knows_no_last_good_values_so_a_refused_key_is_left_out()
    {
        // a restarted daemon or --onetime: every key counts as new
        var applier = _apply.Applier(Definition(_dest, check: RefusesEvil));

        var outcome = await Apply(applier, StateOf(1, ("a", "1"), ("b", "2"), ("x", "evil")));

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal("/apps/a=1\n/apps/b=2\n", File.ReadAllText(_dest));
        Assert.Equal("/apps/x", Assert.Single(outcome.Quarantined).Key);
    }

    [Fact]
    public async Task A_dry_run_takes_the_same_decision_and_writes_nothing()
    {
        var scratch = _folder["scratch"];
        Directory.CreateDirectory(scratch);
        File.WriteAllText(_dest, "live\n");
        var applier = _apply.Applier(Definition(_dest, check: RefusesEvil));
        var request = new ApplyRequest(StateOf(1, ("a", "1"), ("x", "evil")), StateChange.None) { DryRunFolder = scratch };

        var outcome = (await applier.ApplyAsync(request, _apply.Logger, CancellationToken.None)).Outcome;

        Assert.Equal(ReconcileStatus.WouldWrite, outcome.Status);
        Assert.Equal("/apps/x", Assert.Single(outcome.Quarantined).Key);
        Assert.Equal("live\n", File.ReadAllText(_dest));
        Assert.Empty(Directory.GetFiles(scratch));
    }

    [Fact]
    public async Task The_journal_entry_names_each_quarantined_key_with_the_checkers_reason()
    {
        var stateDir = _folder["state"];
        Directory.CreateDirectory(stateDir);
        await using var services = new ApplyServices(TimeSpan.FromSeconds(20), [], TimeSpan.Zero) { Journal = new ApplyJournal(stateDir, 100, 1024 * 1024) };
        var definition = Definition(_dest, check: RefusesEvil) with { RejectControlCharacters = false }; // else the key would be skipped, not rendered
        var applier = new TemplateApplier(definition, CompiledTemplate.Parse(KeyLines, definition.Src), services);
        var evilKey = "/apps/x\u001b]52;c;" + new string('k', 1000);

        await applier.ApplyAsync(new ApplyRequest(DesiredState.From([KeyValuePair.Create("/apps/a", "1"), KeyValuePair.Create(evilKey, "evil")], 1), StateChange.None), _apply.Logger, CancellationToken.None);

        var entry = Assert.Single(ApplyJournal.Read(Path.Combine(stateDir, ApplyJournal.FileName)));
        var quarantined = Assert.Single(entry.Quarantined!.Value);
        Assert.StartsWith("/apps/x\\x1b]52;c;kkk", quarantined.Key, StringComparison.Ordinal); // escaped
        Assert.EndsWith("…(1014 bytes)", quarantined.Key, StringComparison.Ordinal); // cut, with its size
        Assert.Contains("[ALERT]", quarantined.Reason, StringComparison.Ordinal);
        Assert.Equal("written", entry.File);
    }

    private async Task<ReconcileOutcome> Apply(TemplateApplier applier, DesiredState state) =>
        (await _apply.ApplyAsync(applier, state)).Outcome;
}
