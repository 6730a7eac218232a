using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using Reconciler.Actors.Output;

namespace Reconciler.Tests.Output;

[UnsupportedOSPlatform("windows")]
public sealed class AtomicFileWriterTests : IDisposable
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode0644 = Mode0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly TempFolder _folder = new();
    private readonly string _dest;

    public AtomicFileWriterTests()
    {
        _dest = _folder["haproxy.cfg"];
        File.WriteAllText(_dest, "old\n");
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Stage_writes_utf8_without_bom_next_to_dest_and_leaves_dest_alone()
    {
        using var staged = AtomicFileWriter.Stage(_dest, ContentBuffer.From("backend é\n"));

        Assert.Equal(_folder.Path, Path.GetDirectoryName(staged.Path));
        Assert.Matches(@"^\.haproxy\.cfg\.reconciler-[0-9a-f]{16}\.tmp$", Path.GetFileName(staged.Path));
        Assert.Equal(_dest, staged.DestPath);
        Assert.Equal(new UTF8Encoding(false).GetBytes("backend é\n"), File.ReadAllBytes(staged.Path));
        Assert.Equal("old\n", File.ReadAllText(_dest));
    }

    [Fact]
    public void A_staged_file_is_readable_before_its_fsync_and_commits_after_it()
    {
        using var staged = AtomicFileWriter.Stage(_dest, ContentBuffer.From("new\n"));

        // what check-cmd sees while the fsync runs
        Assert.Equal("new\n", File.ReadAllText(staged.Path));
        staged.FlushToDisk();
        AtomicFileWriter.Commit(staged, Mode0644, null, null);

        Assert.Equal("new\n", File.ReadAllText(_dest));
        Assert.Equal(["haproxy.cfg"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("0600")]
    [InlineData("0644")]
    [InlineData("0751")]
    public void Commit_replaces_content_and_applies_mode(string mode)
    {
        using (var staged = AtomicFileWriter.Stage(_dest, ContentBuffer.From("new\n")))
        {
            AtomicFileWriter.Commit(staged, FileModeSpec.Parse(mode), owner: null, group: "");
            Assert.True(staged.IsCommitted);
        }

        Assert.Equal("new\n", File.ReadAllText(_dest));
        Assert.Equal(FileModeSpec.Parse(mode), File.GetUnixFileMode(_dest));
    }

    [Fact]
    public void Commit_creates_a_dest_that_did_not_exist()
    {
        var dest = _folder["fresh.conf"];
        using (var staged = AtomicFileWriter.Stage(dest, ContentBuffer.From("x")))
        {
            AtomicFileWriter.Commit(staged, Mode0644, null, null);
        }

        Assert.Equal("x", File.ReadAllText(dest));
    }

    [Fact]
    public void No_temp_file_is_left_after_commit()
    {
        using (var staged = AtomicFileWriter.Stage(_dest, ContentBuffer.From("new\n")))
        {
            AtomicFileWriter.Commit(staged, Mode0644, null, null);
        }

        Assert.Equal(["haproxy.cfg"], _folder.FileNames());
    }

    [Fact]
    public void Disposing_without_commit_deletes_the_temp_file_and_keeps_dest()
    {
        using (AtomicFileWriter.Stage(_dest, ContentBuffer.From("rejected\n")))
        {
            Assert.Equal(2, _folder.FileNames().Length);
        }

        Assert.Equal(["haproxy.cfg"], _folder.FileNames());
        Assert.Equal("old\n", File.ReadAllText(_dest));
    }

    [Fact]
    public void An_exception_between_stage_and_commit_leaves_no_temp_file()
    {
        Assert.Throws<InvalidOperationException>(StageThenFail);

        Assert.Equal(["haproxy.cfg"], _folder.FileNames());
        Assert.Equal("old\n", File.ReadAllText(_dest));

        void StageThenFail()
        {
            using var staged = AtomicFileWriter.Stage(_dest, ContentBuffer.From("new\n"));
            throw new InvalidOperationException("check-cmd failed");
        }
    }

    [Fact]
    public void Unknown_owner_fails_commit_naming_the_user_and_leaves_dest_and_no_temp_file()
    {
        var error = Assert.Throws<ArgumentException>(() =>
        {
            using var staged = AtomicFileWriter.Stage(_dest, ContentBuffer.From("new\n"));
            AtomicFileWriter.Commit(staged, Mode0644, "no-such-user-reconciler", null);
        });

        Assert.Equal("unknown user 'no-such-user-reconciler': owner must be an existing user name or a numeric uid", error.Message);
        Assert.Equal(["haproxy.cfg"], _folder.FileNames());
        Assert.Equal("old\n", File.ReadAllText(_dest));
    }

    [Fact]
    public void Unknown_group_fails_commit_naming_the_group()
    {
        using var staged = AtomicFileWriter.Stage(_dest, ContentBuffer.From("new\n"));

        var error = Assert.Throws<ArgumentException>(() => AtomicFileWriter.Commit(staged, Mode0644, null, "no-such-group-reconciler"));

        Assert.Contains("unknown group 'no-such-group-reconciler'", error.Message);
    }

    [Theory]
    [InlineData("0", "0", "0:0")]
    [InlineData("root", "root", "0:0")]
    [InlineData("1", "2", "1:2")] // needs root, like the daemon when it manages files it does not own
    [InlineData("1", "", "1:0")]
    [InlineData("", "2", "0:2")]
    public void Commit_sets_owner_and_group_by_id_or_name(string owner, string group, string expected)
    {
        using (var staged = AtomicFileWriter.Stage(_dest, ContentBuffer.From("new\n")))
        {
            AtomicFileWriter.Commit(staged, Mode0644, owner, group);
        }

        Assert.Equal(expected, OwnerOf(_dest));
    }

    [Fact]
    public void Mode_is_applied_after_owner_so_setgid_survives_chown()
    {
        var setgid = Mode0644 | UnixFileMode.SetGroup | UnixFileMode.GroupExecute;
        using (var staged = AtomicFileWriter.Stage(_dest, ContentBuffer.From("new\n")))
        {
            AtomicFileWriter.Commit(staged, setgid, "1", "2");
        }

        Assert.Equal(setgid, File.GetUnixFileMode(_dest));
    }

    [Fact]
    public void Missing_dest_folder_is_a_clear_error()
    {
        var folder = _folder["missing"];

        var error = Assert.Throws<DirectoryNotFoundException>(() => AtomicFileWriter.Stage(Path.Combine(folder, "haproxy.cfg"), ContentBuffer.From("x")));

        Assert.Equal($"cannot write {folder}/haproxy.cfg: folder {folder} does not exist", error.Message);
    }

    [Fact]
    public void A_staged_file_commits_once()
    {
        using var staged = AtomicFileWriter.Stage(_dest, ContentBuffer.From("new\n"));
        AtomicFileWriter.Commit(staged, Mode0644, null, null);

        Assert.Throws<InvalidOperationException>(() => AtomicFileWriter.Commit(staged, Mode0644, null, null));
    }

    [Fact]
    public void A_discarded_staged_file_cannot_be_committed()
    {
        var staged = AtomicFileWriter.Stage(_dest, ContentBuffer.From("new\n"));
        staged.Dispose();

        Assert.Throws<InvalidOperationException>(() => AtomicFileWriter.Commit(staged, Mode0644, null, null));
        Assert.Equal("old\n", File.ReadAllText(_dest));
    }

    [Fact]
    public void Leftovers_of_a_killed_run_are_removed_and_nothing_else()
    {
        var leftover = Path.Combine(Path.GetDirectoryName(_dest)!, $".{Path.GetFileName(_dest)}.reconciler-0123456789abcdef.tmp");
        var unrelated = Path.Combine(Path.GetDirectoryName(_dest)!, ".other.cfg.reconciler-0123456789abcdef.tmp");
        File.WriteAllText(leftover, "half");
        File.WriteAllText(unrelated, "not ours to remove");

        Assert.Equal(1, AtomicFileWriter.RemoveLeftovers(_dest));

        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(unrelated));
        Assert.Equal("old\n", File.ReadAllText(_dest));
    }

    private static string OwnerOf(string path)
    {
        var start = new ProcessStartInfo("stat") { ArgumentList = { "-c", "%u:%g", path }, RedirectStandardOutput = true };
        using var stat = Process.Start(start)!;
        var owner = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return owner;
    }
}
