using System.Runtime.Versioning;
using System.Text;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Output;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;
using Reconciler.Tests.Output;
using static Reconciler.Tests.Fixtures.TestTemplates;

namespace Reconciler.Tests.Rendering;

/// <summary>Render → compare → stage → check → replace of one template, against real files and commands.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class TemplateReconcilerTests : IDisposable
{
    private static readonly DesiredState Two = StateOf(5, ("a", "1"), ("b", "2"));

    private readonly TempFolder _folder = new();
    private readonly string _dest;

    public TemplateReconcilerTests() => _dest = _folder["app.cfg"];

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_configuration_reload_keeps_a_reconciler_only_when_definition_text_command_timeout_and_diff_logging_are_the_same()
    {
        var definition = Definition(_dest);
        TemplateReconciler Build(string source = KeyLines, TimeSpan? timeout = null, bool keepDiffs = false) =>
            new(definition, CompiledTemplate.Parse(source, definition.Src), new AtomicFileWriter(), new CommandRunner(), timeout ?? TimeSpan.FromSeconds(20), keepDiffs)
            {
                SourceText = source,
            };

        Assert.True(Build().IsSameAs(Build()));
        Assert.False(Build().IsSameAs(Build(source: "other")));
        Assert.False(Build().IsSameAs(Build(timeout: TimeSpan.FromSeconds(5))));
        Assert.False(Build().IsSameAs(Build(keepDiffs: true)));
        Assert.False(Build().IsSameAs(NewReconciler(definition with { CheckCommand = "true" })));
    }

    [Fact]
    public async Task The_first_render_writes_dest_with_its_mode()
    {
        var reconciler = NewReconciler(Definition(_dest, mode: Mode0640));

        var outcome = await Reconcile(reconciler, Two, Added("a", "b"));

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
    public async Task A_written_file_owes_its_reload_until_it_succeeded_also_to_the_next_process()
    {
        var definition = Definition(_dest, reload: "true");
        var reconciler = NewReconciler(definition);
        Assert.False(reconciler.ReloadOwed);

        await Reconcile(reconciler, Two);

        Assert.True(reconciler.ReloadOwed);
        Assert.True(NewReconciler(definition).ReloadOwed); // what a restarted daemon finds
        Assert.Equal([".app.cfg.reconciler-reload-owed", "app.cfg"], _folder.FileNames());
        reconciler.ReloadSucceeded();
        Assert.False(NewReconciler(definition).ReloadOwed);
        Assert.Equal(["app.cfg"], _folder.FileNames());
    }

    [Fact]
    public async Task Without_a_reload_command_nothing_is_owed()
    {
        var reconciler = NewReconciler(Definition(_dest));

        await Reconcile(reconciler, Two);

        Assert.False(reconciler.ReloadOwed);
        Assert.Equal(["app.cfg"], _folder.FileNames());
    }

    [Fact]
    public async Task Unchanged_output_is_not_written_again()
    {
        var reconciler = NewReconciler(Definition(_dest));
        await Reconcile(reconciler, Two);
        var inode = InodeOf(_dest);
        var longAgo = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(_dest, longAgo);

        var outcome = await Reconcile(reconciler, StateOf(6, ("a", "1"), ("b", "2")));

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

        var outcome = await Reconcile(NewReconciler(Definition(_dest)), Two);

        Assert.Equal(ReconcileStatus.Unchanged, outcome.Status);
        Assert.Equal(inode, InodeOf(_dest));
    }

    [Fact]
    public async Task A_failing_check_leaves_dest_untouched_and_no_temp_file()
    {
        File.WriteAllText(_dest, "live\n");
        var inode = InodeOf(_dest);
        var reconciler = NewReconciler(Definition(_dest, check: "echo 'bad config on line 3' >&2; false"));

        var outcome = await Reconcile(reconciler, Two);

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
    public async Task The_check_runs_on_the_staged_new_content()
    {
        File.WriteAllText(_dest, "/apps/a=1\n");
        var reconciler = NewReconciler(Definition(_dest, check: "grep -q '^/apps/b=2$' {{src}}"));

        var rejected = await Reconcile(reconciler, StateOf(5, ("a", "1"), ("b", "3")));
        var accepted = await Reconcile(reconciler, Two);

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
        var reconciler = NewReconciler(Definition(_dest), "port {{ getv \"/apps/port\" }}\nhost {{ getv \"/apps/missing\" }}\n");

        var outcome = await Reconcile(reconciler, StateOf(5, ("port", "80")));

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
        var reconciler = NewReconciler(Definition(_dest, guard: new ShrinkGuard(MinEntries: 3, MaxShrinkPercent: 0)));

        var outcome = await Reconcile(reconciler, Two);

        Assert.Equal(ReconcileStatus.HeldBack, outcome.Status);
        Assert.False(outcome.Failed);
        Assert.False(outcome.NeedsReload);
        Assert.Contains("min-entries = 3", outcome.Error);
        Assert.False(File.Exists(_dest));
        Assert.Empty(_folder.FileNames());

        Assert.Equal(ReconcileStatus.Written, (await Reconcile(reconciler, Numbered(3))).Status);
    }

    [Fact]
    public async Task Max_shrink_percent_holds_back_a_big_drop_and_leaves_dest_untouched()
    {
        var reconciler = NewReconciler(Definition(_dest, guard: new ShrinkGuard(MinEntries: 0, MaxShrinkPercent: 50)));
        Assert.Equal(ReconcileStatus.Written, (await Reconcile(reconciler, Numbered(10))).Status);
        var inode = InodeOf(_dest);

        var outcome = await Reconcile(reconciler, Numbered(4, revision: 2));

        Assert.Equal(ReconcileStatus.HeldBack, outcome.Status);
        Assert.Contains("from 10 to 4", outcome.Error);
        Assert.Equal(Rendered(Numbered(10)), File.ReadAllText(_dest));
        Assert.Equal(inode, InodeOf(_dest));
        Assert.Equal(["app.cfg"], _folder.FileNames());
    }

    [Fact]
    public async Task Max_shrink_percent_measures_against_the_last_applied_render_and_lets_a_small_drop_through()
    {
        var reconciler = NewReconciler(Definition(_dest, guard: new ShrinkGuard(MinEntries: 0, MaxShrinkPercent: 50)));
        await Reconcile(reconciler, Numbered(10));

        // 10 → 3 is held back; the baseline stays at the last applied 10
        Assert.Equal(ReconcileStatus.HeldBack, (await Reconcile(reconciler, Numbered(3))).Status);

        // 10 → 6 is a 40% drop: through
        var small = await Reconcile(reconciler, Numbered(6));
        Assert.Equal(ReconcileStatus.Written, small.Status);
        Assert.Equal(Rendered(Numbered(6)), File.ReadAllText(_dest));

        // 6 → 3 is 50% of the last applied 6 (not 70% of the first 10): through
        Assert.Equal(ReconcileStatus.Written, (await Reconcile(reconciler, Numbered(3))).Status);
        Assert.Equal(Rendered(Numbered(3)), File.ReadAllText(_dest));
    }

    [Fact]
    public async Task A_render_that_failed_its_check_does_not_become_the_shrink_baseline()
    {
        var marker = _folder["accept"];
        var reconciler = NewReconciler(Definition(_dest, check: $"test -e {Quote(marker)}", guard: new ShrinkGuard(MinEntries: 0, MaxShrinkPercent: 50)));
        File.WriteAllText(marker, "");
        await Reconcile(reconciler, Numbered(10));
        File.Delete(marker);

        Assert.Equal(ReconcileStatus.CheckFailed, (await Reconcile(reconciler, Numbered(6))).Status);
        File.WriteAllText(marker, "");

        // still measured against the 10 that are live, not the 6 that never were
        Assert.Equal(ReconcileStatus.HeldBack, (await Reconcile(reconciler, Numbered(4))).Status);
    }

    [Fact]
    public async Task RestorePrevious_puts_back_the_file_that_was_live_before_the_last_write()
    {
        File.WriteAllText(_dest, "previous\n");
        var reconciler = NewReconciler(Definition(_dest, mode: Mode0640));
        Assert.Equal(ReconcileStatus.Written, (await Reconcile(reconciler, Two)).Status);

        Assert.True(reconciler.RestorePrevious());

        Assert.Equal("previous\n", File.ReadAllText(_dest));
        Assert.Equal(Mode0640, File.GetUnixFileMode(_dest));
        Assert.Equal(["app.cfg"], _folder.FileNames());
        Assert.False(reconciler.RestorePrevious());
        Assert.Equal("previous\n", File.ReadAllText(_dest));

        // the restored file is what is live now: the same state is written again
        Assert.Equal(ReconcileStatus.Written, (await Reconcile(reconciler, Two)).Status);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
    }

    [Fact]
    public async Task RestorePrevious_is_false_when_nothing_was_written_or_there_was_no_file_before()
    {
        var reconciler = NewReconciler(Definition(_dest));
        Assert.False(reconciler.RestorePrevious());

        await Reconcile(reconciler, Two);

        Assert.False(reconciler.RestorePrevious());
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
    }

    [Fact]
    public async Task RestorePrevious_goes_back_one_write()
    {
        var reconciler = NewReconciler(Definition(_dest));
        await Reconcile(reconciler, StateOf(1, ("a", "1")));
        await Reconcile(reconciler, StateOf(2, ("a", "2")));
        await Reconcile(reconciler, StateOf(3, ("a", "3")));

        Assert.True(reconciler.RestorePrevious());

        Assert.Equal("/apps/a=2\n", File.ReadAllText(_dest));
    }

    [Fact]
    public async Task A_dest_edited_behind_its_back_is_rewritten_on_the_next_reconcile()
    {
        var reconciler = NewReconciler(Definition(_dest));
        await Reconcile(reconciler, Two);

        File.WriteAllText(_dest, "# edited by hand\n");
        var outcome = await Reconcile(reconciler, Two);

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.True(outcome.NeedsReload);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
    }

    [Fact]
    public async Task A_same_size_edit_behind_its_back_is_rewritten_on_the_next_reconcile()
    {
        var reconciler = NewReconciler(Definition(_dest));
        await Reconcile(reconciler, Two);
        var written = File.GetLastWriteTimeUtc(_dest);

        File.WriteAllText(_dest, "/apps/a=9\n/apps/b=9\n");
        File.SetLastWriteTimeUtc(_dest, written.AddSeconds(1)); // an edit in the same clock tick could keep the mtime
        var outcome = await Reconcile(reconciler, Two);

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
    }

    [Fact]
    public async Task A_byte_order_mark_added_behind_its_back_is_rewritten()
    {
        var reconciler = NewReconciler(Definition(_dest));
        await Reconcile(reconciler, Two);

        File.WriteAllText(_dest, Rendered(Two), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var outcome = await Reconcile(reconciler, Two);

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal(Encoding.UTF8.GetBytes(Rendered(Two)), File.ReadAllBytes(_dest));
    }

    [Fact]
    public async Task RestorePrevious_gives_back_the_previous_bytes_including_a_byte_order_mark()
    {
        var previous = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble().Concat(Encoding.UTF8.GetBytes("previous\n")).ToArray();
        File.WriteAllBytes(_dest, previous);
        var reconciler = NewReconciler(Definition(_dest));
        await Reconcile(reconciler, Two);

        Assert.True(reconciler.RestorePrevious());

        Assert.Equal(previous, File.ReadAllBytes(_dest));
    }

    [Fact]
    public async Task A_dest_with_the_right_content_but_another_mode_gets_the_configured_mode()
    {
        File.WriteAllText(_dest, Rendered(Two));
        File.SetUnixFileMode(_dest, Mode0644);

        // e.g. mode tightened to 0640 in the configuration: the content is the same, the mode is not
        var outcome = await Reconcile(NewReconciler(Definition(_dest, mode: Mode0640)), Two);

        Assert.Equal(Mode0640, File.GetUnixFileMode(_dest));
        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
    }

    [Fact]
    public async Task A_chmod_behind_its_back_is_undone_on_the_next_reconcile()
    {
        var reconciler = NewReconciler(Definition(_dest, mode: Mode0640));
        await Reconcile(reconciler, Two);

        File.SetUnixFileMode(_dest, Mode0640 | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        var outcome = await Reconcile(reconciler, Two);

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal(Mode0640, File.GetUnixFileMode(_dest));
    }

    [Fact]
    public async Task A_deleted_dest_is_written_again()
    {
        var reconciler = NewReconciler(Definition(_dest));
        await Reconcile(reconciler, Two);

        File.Delete(_dest);
        var outcome = await Reconcile(reconciler, Two);

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
    }

    [Fact]
    public async Task A_dest_in_a_missing_folder_is_a_write_failure_not_an_exception()
    {
        var reconciler = NewReconciler(Definition(_folder["no-such-folder/app.cfg"]));

        var outcome = await Reconcile(reconciler, Two);

        Assert.Equal(ReconcileStatus.WriteFailed, outcome.Status);
        Assert.Contains("does not exist", outcome.Error);
    }

    private static Task<ReconcileOutcome> Reconcile(TemplateReconciler reconciler, DesiredState state, StateChange? change = null) =>
        reconciler.ReconcileAsync(state, change ?? StateChange.None, CancellationToken.None);
}
