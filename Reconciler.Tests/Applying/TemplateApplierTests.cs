using System.Runtime.Versioning;
using System.Text;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Journal;
using Reconciler.Actors.Output;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;
using static Reconciler.Tests.Fixtures.TestTemplates;

namespace Reconciler.Tests.Applying;

/// <summary>Render → compare → stage → check → replace → reload of one template, against real files and commands.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class TemplateApplierTests : IAsyncDisposable
{
    private static readonly DesiredState Two = StateOf(5, ("a", "1"), ("b", "2"));

    private readonly TempFolder _folder = new();
    private readonly ApplyHarness _apply = new();
    private readonly string _dest;

    public TemplateApplierTests() => _dest = _folder["app.cfg"];

    public async ValueTask DisposeAsync()
    {
        await _apply.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public void A_configuration_reload_keeps_an_applier_only_when_definition_text_and_diff_logging_are_the_same()
    {
        var definition = Definition(_dest);
        TemplateApplier Build(string source = KeyLines, bool keepDiffs = false) =>
            new(definition, CompiledTemplate.Parse(source, definition.Src), _apply.Services, keepDiffs);

        Assert.True(Build().IsSameAs(Build()));
        Assert.False(Build().IsSameAs(Build(source: "other")));
        Assert.False(Build().IsSameAs(Build(keepDiffs: true)));
        Assert.False(Build().IsSameAs(_apply.Applier(definition with { CheckCommand = "true" })));
    }

    [Fact]
    public async Task The_first_render_writes_dest_with_its_mode()
    {
        var applier = _apply.Applier(Definition(_dest, mode: Mode0640));

        var outcome = await Reconcile(applier, Two, Added("a", "b"));

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.True(outcome.NeedsReload);
        Assert.Equal("/apps/a=1\n/apps/b=2\n", File.ReadAllText(_dest));
        Assert.Equal(Mode0640, File.GetUnixFileMode(_dest));
        Assert.Equal(5, outcome.Revision);
        Assert.Equal(Rendered(Two).Length, outcome.Bytes);
        Assert.Equal<string>(["/apps/a", "/apps/b"], outcome.Change.Added);
        Assert.Equal(["app.cfg"], _folder.FileNames());
    }

    [Fact]
    public async Task A_written_file_owes_its_reload_until_one_succeeded_also_to_the_next_process()
    {
        var allow = _folder["allow-reload"];
        var definition = Definition(_dest, reload: $"test -e {Quote(allow)}");
        var applier = _apply.Applier(definition);
        Assert.False(applier.ReloadOwed);

        var failed = await _apply.ApplyAsync(applier, Two);

        Assert.False(failed.Reload!.Succeeded);
        Assert.True(applier.ReloadOwed);
        Assert.Equal([".app.cfg.reconciler-reload-owed", "app.cfg"], _folder.FileNames());
        await using (var restarted = new ApplyHarness())
        {
            Assert.True(restarted.Applier(definition).ReloadOwed); // what a restarted daemon finds
        }

        File.WriteAllText(allow, "");
        var paid = await _apply.ApplyAsync(applier, Two); // unchanged, but owed: reloaded

        Assert.Equal(ReconcileStatus.Unchanged, paid.Outcome.Status);
        Assert.True(paid.Reload!.Succeeded);
        Assert.False(applier.ReloadOwed);
        Assert.Equal(["allow-reload", "app.cfg"], _folder.FileNames());
    }

    [Fact]
    public async Task Without_a_reload_command_nothing_is_owed()
    {
        var applier = _apply.Applier(Definition(_dest));

        await Reconcile(applier, Two);

        Assert.False(applier.ReloadOwed);
        Assert.Equal(["app.cfg"], _folder.FileNames());
    }

    [Fact]
    public async Task Unchanged_output_is_not_written_again()
    {
        var applier = _apply.Applier(Definition(_dest));
        await Reconcile(applier, Two);
        var inode = InodeOf(_dest);
        var longAgo = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(_dest, longAgo);

        var outcome = await Reconcile(applier, StateOf(6, ("a", "1"), ("b", "2")));

        Assert.Equal(ReconcileStatus.Unchanged, outcome.Status);
        Assert.False(outcome.NeedsReload);
        Assert.Equal(inode, InodeOf(_dest));
        Assert.Equal(longAgo, File.GetLastWriteTimeUtc(_dest));
        Assert.Equal(["app.cfg"], _folder.FileNames());
    }

    [Fact]
    public async Task A_dest_that_already_holds_the_output_is_unchanged_on_the_first_render()
    {
        File.WriteAllText(_dest, Rendered(Two));
        File.SetUnixFileMode(_dest, Mode0644);
        var inode = InodeOf(_dest);

        var outcome = await Reconcile(_apply.Applier(Definition(_dest)), Two);

        Assert.Equal(ReconcileStatus.Unchanged, outcome.Status);
        Assert.Equal(inode, InodeOf(_dest));
    }

    [Fact]
    public async Task A_failing_check_leaves_dest_untouched_and_no_temp_file()
    {
        File.WriteAllText(_dest, "live\n");
        var inode = InodeOf(_dest);
        var applier = _apply.Applier(Definition(_dest, check: "echo 'bad config on line 3' >&2; false"));

        var outcome = await Reconcile(applier, Two);

        Assert.Equal(ReconcileStatus.CheckFailed, outcome.Status);
        Assert.True(outcome.Failed);
        Assert.False(outcome.NeedsReload);
        Assert.NotNull(outcome.Check);
        Assert.Equal(1, outcome.Check.ExitCode);
        Assert.Contains("bad config on line 3", outcome.Error);
        Assert.Equal("live\n", File.ReadAllText(_dest));
        Assert.Equal(inode, InodeOf(_dest));
        Assert.Equal(["app.cfg"], _folder.FileNames());
    }

    [Fact]
    public async Task A_check_that_keeps_failing_on_the_same_keys_is_recorded_and_logged_once_then_its_end_once()
    {
        var stateDir = _folder["state"];
        Directory.CreateDirectory(stateDir);
        await using var services = new ApplyServices(TimeSpan.FromSeconds(20), [], TimeSpan.Zero) { Journal = new ApplyJournal(stateDir, 100, 1024 * 1024) };
        var definition = Definition(_dest, check: "grep -q '^/apps/b=2$' {{src}} || { echo 'bad config on line 3' >&2; false; }");
        var applier = new TemplateApplier(definition, CompiledTemplate.Parse(KeyLines, definition.Src), services);
        var bad = StateOf(5, ("a", "1"), ("b", "3"));

        for (var retry = 0; retry < 5; retry++)
        {
            await applier.ApplyAsync(new ApplyRequest(bad, StateChange.None) { Trigger = ApplyTrigger.Retry }, _apply.Logger, CancellationToken.None);
        }

        var whileFailing = ApplyJournal.Read(Path.Combine(stateDir, ApplyJournal.FileName));
        var linesWhileFailing = _apply.Logs.Lines.Where(line => line.Level >= LogLevel.Warning).Select(line => line.Message).ToList();
        await applier.ApplyAsync(new ApplyRequest(StateOf(5, ("a", "1"), ("b", "2")), StateChange.None), _apply.Logger, CancellationToken.None);

        var failed = Assert.Single(whileFailing);
        Assert.Equal("failed", failed.Outcome);
        Assert.Null(failed.Repeats);
        Assert.Equal(2, linesWhileFailing.Count); // the reconcile line and the check's output, once
        Assert.Contains("bad config on line 3", linesWhileFailing[1], StringComparison.Ordinal);
        Assert.Equal(2, ApplyJournal.Read(Path.Combine(stateDir, ApplyJournal.FileName)).Count);
        Assert.Contains(_apply.Logs.Lines, line => line.Message.StartsWith($"{definition.Name} no longer failing after 5 tries since ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_reloads_summary_reaches_the_log_line_escaped()
    {
        var applier = _apply.Applier(Definition(_dest, reload: "printf 'bad \\033[31m red\\n' >&2; false"));

        await Reconcile(applier, Two);

        var line = Assert.Single(_apply.Logs.Lines, line => line.Message.Contains("reload=failed", StringComparison.Ordinal));
        Assert.Contains(@"reload=failed: exit 1: bad \x1b[31m red", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', line.Message);
    }

    [Fact]
    public async Task The_check_runs_on_the_staged_new_content()
    {
        File.WriteAllText(_dest, "/apps/a=1\n");
        var applier = _apply.Applier(Definition(_dest, check: "grep -q '^/apps/b=2$' {{src}}"));

        var rejected = await Reconcile(applier, StateOf(5, ("a", "1"), ("b", "3")));
        var accepted = await Reconcile(applier, Two);

        Assert.Equal(ReconcileStatus.CheckFailed, rejected.Status);
        Assert.Equal(ReconcileStatus.Written, accepted.Status);
        Assert.True(accepted.Check!.Succeeded);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
        Assert.Equal(["app.cfg"], _folder.FileNames());
    }

    [Fact]
    public async Task A_render_failure_names_the_missing_key_and_leaves_dest_untouched()
    {
        File.WriteAllText(_dest, "live\n");
        var applier = _apply.Applier(Definition(_dest), "port {{ getv \"/apps/port\" }}\nhost {{ getv \"/apps/missing\" }}\n");

        var outcome = await Reconcile(applier, StateOf(5, ("port", "80")));

        Assert.Equal(ReconcileStatus.RenderFailed, outcome.Status);
        Assert.True(outcome.Failed);
        Assert.Contains("/apps/missing", outcome.Error);
        Assert.Contains("t.sbn(2,", outcome.Error);
        Assert.Equal("live\n", File.ReadAllText(_dest));
        Assert.Equal(["app.cfg"], _folder.FileNames());
    }

    [Fact]
    public async Task Min_entries_holds_back_a_render_over_too_few_keys()
    {
        var applier = _apply.Applier(Definition(_dest, guard: new ShrinkGuard(MinEntries: 3, MaxShrinkPercent: 0)));

        var outcome = await Reconcile(applier, Two);

        Assert.Equal(ReconcileStatus.HeldBack, outcome.Status);
        Assert.False(outcome.Failed);
        Assert.False(outcome.NeedsReload);
        Assert.Contains("min-entries = 3", outcome.Error);
        Assert.False(File.Exists(_dest));
        Assert.Empty(_folder.FileNames());

        Assert.Equal(ReconcileStatus.Written, (await Reconcile(applier, Numbered(3))).Status);
    }

    [Fact]
    public async Task Max_shrink_percent_holds_back_a_big_drop_and_leaves_dest_untouched()
    {
        var applier = _apply.Applier(Definition(_dest, guard: new ShrinkGuard(MinEntries: 0, MaxShrinkPercent: 50)));
        Assert.Equal(ReconcileStatus.Written, (await Reconcile(applier, Numbered(10))).Status);
        var inode = InodeOf(_dest);

        var outcome = await Reconcile(applier, Numbered(4, revision: 2));

        Assert.Equal(ReconcileStatus.HeldBack, outcome.Status);
        Assert.Contains("from 10 to 4", outcome.Error);
        Assert.Equal(Rendered(Numbered(10)), File.ReadAllText(_dest));
        Assert.Equal(inode, InodeOf(_dest));
        Assert.Equal(["app.cfg"], _folder.FileNames());
    }

    [Fact]
    public async Task Max_shrink_percent_measures_against_the_last_applied_render_and_lets_a_small_drop_through()
    {
        var applier = _apply.Applier(Definition(_dest, guard: new ShrinkGuard(MinEntries: 0, MaxShrinkPercent: 50)));
        await Reconcile(applier, Numbered(10));

        // 10 → 3 is held back; the baseline stays at the last applied 10
        Assert.Equal(ReconcileStatus.HeldBack, (await Reconcile(applier, Numbered(3))).Status);

        // 10 → 6 is a 40% drop: through
        var small = await Reconcile(applier, Numbered(6));
        Assert.Equal(ReconcileStatus.Written, small.Status);
        Assert.Equal(Rendered(Numbered(6)), File.ReadAllText(_dest));

        // 6 → 3 is 50% of the last applied 6 (not 70% of the first 10): through
        Assert.Equal(ReconcileStatus.Written, (await Reconcile(applier, Numbered(3))).Status);
        Assert.Equal(Rendered(Numbered(3)), File.ReadAllText(_dest));
    }

    [Fact]
    public async Task A_render_that_failed_its_check_does_not_become_the_shrink_baseline()
    {
        var marker = _folder["accept"];
        var applier = _apply.Applier(Definition(_dest, check: $"test -e {Quote(marker)}", guard: new ShrinkGuard(MinEntries: 0, MaxShrinkPercent: 50)));
        File.WriteAllText(marker, "");
        await Reconcile(applier, Numbered(10));
        File.Delete(marker);

        Assert.Equal(ReconcileStatus.CheckFailed, (await Reconcile(applier, Numbered(6))).Status);
        File.WriteAllText(marker, "");

        // still measured against the 10 that are live, not the 6 that never were
        Assert.Equal(ReconcileStatus.HeldBack, (await Reconcile(applier, Numbered(4))).Status);
    }

    [Fact]
    public async Task A_failed_reload_with_rollback_puts_back_the_file_that_was_live_before_and_reloads_it()
    {
        File.WriteAllText(_dest, "previous\n");
        var reloads = _folder["reloads"];
        var applier = _apply.Applier(Definition(_dest, reload: $"cat {Quote(_dest)} >> {Quote(reloads)}; grep -q previous {Quote(_dest)}", mode: Mode0640, rollback: true));

        var reconciled = await _apply.ApplyAsync(applier, Two);

        Assert.Equal(ReconcileStatus.Written, reconciled.Outcome.Status);
        Assert.False(reconciled.Reload!.Succeeded); // what is reported: the reload that failed
        Assert.Equal("previous\n", File.ReadAllText(_dest));
        Assert.Equal(Mode0640, File.GetUnixFileMode(_dest));
        Assert.Equal(Rendered(Two) + "previous\n", File.ReadAllText(reloads)); // the new file's reload, then the restored one's
        Assert.False(applier.ReloadOwed);
        Assert.Contains(_apply.Logs.Lines, l => l.Message.StartsWith("Restored the previous", StringComparison.Ordinal));

        // the restored file is what is live now: the same state is written again
        Assert.Equal(ReconcileStatus.Written, (await Reconcile(applier, Two)).Status);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task A_failed_reload_keeps_the_new_file_without_rollback_or_without_a_previous_file(bool previousFile, bool rollback)
    {
        if (previousFile)
        {
            File.WriteAllText(_dest, "previous\n");
        }

        var applier = _apply.Applier(Definition(_dest, reload: "false", rollback: rollback));

        var reconciled = await _apply.ApplyAsync(applier, Two);

        Assert.False(reconciled.Reload!.Succeeded);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
        Assert.True(applier.ReloadOwed);
    }

    [Fact]
    public async Task A_rollback_goes_back_one_write_and_keeps_its_bytes_a_byte_order_mark_included()
    {
        var fail = _folder["fail-reload"];
        var applier = _apply.Applier(Definition(_dest, reload: $"test ! -e {Quote(fail)}", rollback: true));
        await Reconcile(applier, StateOf(1, ("a", "1")));
        var previous = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble().Concat(Encoding.UTF8.GetBytes("/apps/a=2\n")).ToArray();
        File.WriteAllBytes(_dest, previous); // a byte order mark added behind its back: a difference, rewritten
        await Reconcile(applier, StateOf(2, ("a", "2")));
        File.WriteAllBytes(_dest, previous);
        File.WriteAllText(fail, "");

        await Reconcile(applier, StateOf(3, ("a", "3")));

        Assert.Equal(previous, File.ReadAllBytes(_dest));
    }

    [Fact]
    public async Task A_dest_edited_behind_its_back_is_rewritten_on_the_next_reconcile()
    {
        var applier = _apply.Applier(Definition(_dest));
        await Reconcile(applier, Two);

        File.WriteAllText(_dest, "# edited by hand\n");
        var outcome = await Reconcile(applier, Two);

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.True(outcome.NeedsReload);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
    }

    [Fact]
    public async Task A_same_size_edit_behind_its_back_is_rewritten_on_the_next_reconcile()
    {
        var applier = _apply.Applier(Definition(_dest));
        await Reconcile(applier, Two);
        var written = File.GetLastWriteTimeUtc(_dest);

        File.WriteAllText(_dest, "/apps/a=9\n/apps/b=9\n");
        File.SetLastWriteTimeUtc(_dest, written.AddSeconds(1)); // an edit in the same clock tick could keep the mtime
        var outcome = await Reconcile(applier, Two);

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
    }

    [Fact]
    public async Task A_byte_order_mark_added_behind_its_back_is_rewritten()
    {
        var applier = _apply.Applier(Definition(_dest));
        await Reconcile(applier, Two);

        File.WriteAllText(_dest, Rendered(Two), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var outcome = await Reconcile(applier, Two);

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal(Encoding.UTF8.GetBytes(Rendered(Two)), File.ReadAllBytes(_dest));
    }

    [Fact]
    public async Task A_dest_with_the_right_content_but_another_mode_gets_the_configured_mode()
    {
        File.WriteAllText(_dest, Rendered(Two));
        File.SetUnixFileMode(_dest, Mode0644);

        // e.g. mode tightened to 0640 in the configuration: the content is the same, the mode is not
        var outcome = await Reconcile(_apply.Applier(Definition(_dest, mode: Mode0640)), Two);

        Assert.Equal(Mode0640, File.GetUnixFileMode(_dest));
        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
    }

    [Fact]
    public async Task A_chmod_behind_its_back_is_undone_on_the_next_reconcile()
    {
        var applier = _apply.Applier(Definition(_dest, mode: Mode0640));
        await Reconcile(applier, Two);

        File.SetUnixFileMode(_dest, Mode0640 | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        var outcome = await Reconcile(applier, Two);

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal(Mode0640, File.GetUnixFileMode(_dest));
    }

    [Fact]
    public async Task A_deleted_dest_is_written_again()
    {
        var applier = _apply.Applier(Definition(_dest));
        await Reconcile(applier, Two);

        File.Delete(_dest);
        var outcome = await Reconcile(applier, Two);

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
    }

    [Fact]
    public async Task A_dest_in_a_missing_folder_is_a_write_failure_not_an_exception()
    {
        var applier = _apply.Applier(Definition(_folder["no-such-folder/app.cfg"]));

        var outcome = await Reconcile(applier, Two);

        Assert.Equal(ReconcileStatus.WriteFailed, outcome.Status);
        Assert.Contains("does not exist", outcome.Error);
    }

    private async Task<ReconcileOutcome> Reconcile(TemplateApplier applier, DesiredState state, StateChange? change = null) =>
        (await _apply.ApplyAsync(applier, state, change)).Outcome;
}
