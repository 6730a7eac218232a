using System.Diagnostics;
using System.Text.Json;
using Reconciler.Actors.Journal;
using Xunit.Abstractions;

namespace Reconciler.Tests.Journal;

public sealed class ApplyJournalTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-journal-").FullName;

    private string JournalFile => Path.Combine(_folder, ApplyJournal.FileName);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Entries_are_numbered_in_order_and_read_back_whole()
    {
        var journal = new ApplyJournal(_folder, 100, 1024 * 1024);

        Assert.Null(journal.Append(Entry("haproxy", 5) with { Diff = "--- a\n+++ b\n" }));
        Assert.Null(journal.Append(Entry("routes", 6)));

        var read = ApplyJournal.Read(JournalFile);
        Assert.Equal([(1L, "haproxy", 5L), (2L, "routes", 6L)], read.Select(e => (e.Sequence, e.Template, e.Revision)));
        Assert.Equal("--- a\n+++ b\n", read[0].Diff);
        Assert.Equal(["/apps/a"], read[0].Added.AsEnumerable());
    }

    [Fact]
    public void A_torn_last_line_is_skipped_and_the_next_entry_starts_a_line_of_its_own()
    {
        new ApplyJournal(_folder, 100, 1024 * 1024).Append(Entry("haproxy", 5));
        File.AppendAllText(JournalFile, "{\"sequence\":2,\"time\":\"2026-"); // killed mid-write

        Assert.Single(ApplyJournal.Read(JournalFile));
        var restarted = new ApplyJournal(_folder, 100, 1024 * 1024);
        Assert.Null(restarted.Append(Entry("haproxy", 7)));

        Assert.Equal([(1L, 5L), (2L, 7L)], ApplyJournal.Read(JournalFile).Select(e => (e.Sequence, e.Revision)));
    }

    [Fact]
    public void Ten_thousand_applies_stay_within_the_bounds_and_keep_the_newest()
    {
        var journal = new ApplyJournal(_folder, 1000, 1024 * 1024);
        var clock = Stopwatch.StartNew();

        for (var i = 1; i <= 10000; i++)
        {
            Assert.Null(journal.Append(Entry("haproxy", i)));
        }

        output.WriteLine($"10,000 appends (each fsynced) in {clock.ElapsedMilliseconds} ms; journal {new FileInfo(JournalFile).Length} bytes");
        var kept = ApplyJournal.Read(JournalFile);
        Assert.InRange(kept.Count, 750, 1000); // compacted to three quarters, then grown back
        Assert.True(new FileInfo(JournalFile).Length <= 1024 * 1024);
        Assert.Equal(10000, kept[^1].Revision);
        Assert.Equal(Enumerable.Range(10001 - kept.Count, kept.Count).Select(i => (long)i), kept.Select(e => e.Sequence));
    }

    [Fact]
    public void The_byte_bound_holds_too_and_the_newest_entry_is_kept_however_large()
    {
        var journal = new ApplyJournal(_folder, 10000, 64 * 1024);

        for (var i = 1; i <= 2000; i++)
        {
            journal.Append(Entry("haproxy", i));
        }

        Assert.InRange(new FileInfo(JournalFile).Length, 32 * 1024, 64 * 1024);
        journal.Append(Entry("haproxy", 2001) with { Diff = new string('x', 100 * 1024) });
        Assert.Equal(2001, Assert.Single(ApplyJournal.Read(JournalFile)).Revision);
    }

    [Fact]
    public void An_unusable_state_dir_is_a_reason_not_an_exception()
    {
        var file = Path.Combine(_folder, "not-a-folder");
        File.WriteAllText(file, string.Empty);

        Assert.NotNull(new ApplyJournal(file, 100, 1024).Append(Entry("haproxy", 1)));
    }

    [Fact]
    public void A_journal_with_a_line_of_40_MB_in_the_middle_is_appended_to_without_reading_it_and_history_skips_that_line()
    {
        var journal = new ApplyJournal(_folder, 100, 64 * 1024 * 1024);
        journal.Append(Entry("haproxy", 1));
        journal.Append(Entry("haproxy", 2));
        File.AppendAllText(JournalFile, "{\"sequence\":3,\"template\":\"" + new string('x', 40 * 1024 * 1024) + "\"}\n"); // 20 keys of 1 MB named, say
        new ApplyJournal(_folder, 100, 64 * 1024 * 1024).Append(Entry("haproxy", 4));

        var restarted = new ApplyJournal(_folder, 100, 64 * 1024 * 1024);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        Assert.Null(restarted.Append(Entry("haproxy", 5)));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        output.WriteLine($"opening a 40 MB journal and appending to it allocated {allocated / 1024} KiB");
        Assert.True(allocated < 2 * 1024 * 1024, $"{allocated} bytes allocated: the journal was read whole");
        var read = ApplyJournal.Read(JournalFile, out var skipped);
        Assert.Equal([(1L, 1L), (2L, 2L), (4L, 4L), (5L, 5L)], read.Select(e => (e.Sequence, e.Revision)));
        Assert.Equal(1, skipped);
    }

    [Fact]
    public void Compaction_copies_the_newest_lines_a_line_at_a_time_and_drops_a_line_over_the_cap()
    {
        new ApplyJournal(_folder, 100, 1024 * 1024).Append(Entry("haproxy", 1));
        File.AppendAllText(JournalFile, new string('x', ApplyJournal.MostLineBytes + 1) + "\n");
        var journal = new ApplyJournal(_folder, 100, 1024 * 1024);
        journal.Append(Entry("haproxy", 2));

        // past max-bytes at once: the newest entries within three quarters of it are kept, the huge line is not
        var kept = ApplyJournal.Read(JournalFile, out var skipped);
        Assert.Equal([2L], kept.Select(e => e.Revision));
        Assert.Equal(0, skipped);
        Assert.True(new FileInfo(JournalFile).Length < 1024, $"{new FileInfo(JournalFile).Length} bytes kept");

        Assert.Null(journal.Append(Entry("haproxy", 3)));
        Assert.Equal([(2L, 2L), (3L, 3L)], ApplyJournal.Read(JournalFile).Select(e => (e.Sequence, e.Revision)));
    }

    [Fact]
    public void The_repeat_count_is_written_only_where_set_and_a_line_written_before_it_existed_reads_without_one()
    {
        var journal = new ApplyJournal(_folder, 100, 1024 * 1024);
        journal.Append(Entry("haproxy", 5) with { Outcome = "failed", Repeats = 21 });
        var path = Path.Combine(_folder, ApplyJournal.FileName);
        File.AppendAllText(path, """{"sequence":1,"time":"2026-12-01T10:00:00+00:00","template":"haproxy","revision":5,"added":[],"changed":[],"removed":[],"file":"written","applied":"reload","outcome":"ok","totalMs":3}""" + "\n");

        var entries = ApplyJournal.Read(path);
        var lines = File.ReadAllLines(path);

        Assert.Equal([21, null], entries.Select(entry => entry.Repeats));
        Assert.Contains("\"repeats\":21", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("repeats", JsonSerializer.Serialize(Entry("haproxy", 6), JournalJson.Default.JournalEntry), StringComparison.Ordinal);
    }

    private static JournalEntry Entry(string template, long revision) =>
        new(0, DateTimeOffset.UtcNow, template, revision, ["/apps/a"], [], [], "written", "reload", "the file changed", "ok", 3) { AddedCount = 1 };
}
