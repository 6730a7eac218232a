using System.Diagnostics;
using System.Runtime.Versioning;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Output;
using Reconciler.Actors.State;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;
using static Reconciler.Tests.Fixtures.TestTemplates;

namespace Reconciler.Tests.Rendering;

/// <summary>
/// The file system is not a lever: what is planted next to dest (a link at the marker's or a staged file's name, a link,
/// FIFO or device as dest itself) changes nothing outside dest and hangs nothing.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class DestFileSystemTests : IAsyncDisposable
{
    private static readonly DesiredState Two = StateOf(5, ("a", "1"), ("b", "2"));

    private readonly TempFolder _folder = new();
    private readonly TempFolder _outside = new();
    private readonly ApplyHarness _apply = new();
    private readonly string _dest;

    public DestFileSystemTests() => _dest = _folder["app.cfg"];

    public async ValueTask DisposeAsync()
    {
        await _apply.DisposeAsync();
        _folder.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public async Task A_link_planted_at_the_owed_reload_markers_name_is_not_followed()
    {
        var victim = _outside["victim"];
        File.WriteAllText(victim, "precious");
        var marker = new OwedReload(_dest).MarkerPath;
        File.CreateSymbolicLink(marker, victim);

        var reconciled = await _apply.ApplyAsync(_apply.Applier(Definition(_dest, reload: "true")), Two);

        Assert.Equal(ReconcileStatus.Written, reconciled.Outcome.Status);
        Assert.True(reconciled.Reload!.Succeeded);
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Null(new FileInfo(marker).LinkTarget); // the planted link was removed, its target left alone
    }

    [Fact]
    public async Task A_link_planted_at_a_staged_files_name_is_removed_without_touching_its_target()
    {
        var victim = _outside["victim"];
        File.WriteAllText(victim, "precious");
        File.CreateSymbolicLink(_folder[".app.cfg.reconciler-0123456789abcdef.tmp"], victim);
        var applier = _apply.Applier(Definition(_dest));

        Assert.Equal(1, applier.RemoveLeftovers());
        await _apply.ApplyAsync(applier, Two);

        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Equal(["app.cfg"], _folder.FileNames());
    }

    [Fact]
    public async Task A_dest_that_is_a_link_is_not_followed_and_its_target_is_untouched()
    {
        var target = _outside["target.cfg"];
        File.WriteAllText(target, "elsewhere");
        File.CreateSymbolicLink(_dest, target);

        var outcome = (await _apply.ApplyAsync(_apply.Applier(Definition(_dest)), Two)).Outcome;

        Assert.Equal(ReconcileStatus.WriteFailed, outcome.Status);
        Assert.Contains("is a symbolic link, which is not followed", outcome.Error);
        Assert.Equal("elsewhere", File.ReadAllText(target));
    }

    [Fact]
    public async Task A_dest_that_is_a_fifo_is_an_error_not_a_hang()
    {
        Run("mkfifo", _dest);
        var apply = _apply.ApplyAsync(_apply.Applier(Definition(_dest)), Two);

        var outcome = (await apply.WaitAsync(TimeSpan.FromSeconds(10))).Outcome;

        Assert.Equal(ReconcileStatus.WriteFailed, outcome.Status);
        Assert.Contains("FIFO, socket or device", outcome.Error);
    }

    [Fact]
    public async Task A_dest_linked_to_dev_zero_is_an_error_not_an_endless_read()
    {
        File.CreateSymbolicLink(_dest, "/dev/zero");

        var outcome = (await _apply.ApplyAsync(_apply.Applier(Definition(_dest)), Two).WaitAsync(TimeSpan.FromSeconds(10))).Outcome;

        Assert.Equal(ReconcileStatus.WriteFailed, outcome.Status);
    }

    [Fact]
    public async Task A_live_dest_larger_than_max_output_bytes_is_replaced_without_being_read()
    {
        File.WriteAllBytes(_dest, new byte[4096]);
        var applier = _apply.Applier(Definition(_dest) with { MaxOutputBytes = 1024 });

        var outcome = (await _apply.ApplyAsync(applier, Two)).Outcome;

        Assert.Equal(ReconcileStatus.Written, outcome.Status);
        Assert.Equal(Rendered(Two), File.ReadAllText(_dest));
    }

    [Fact]
    public void A_dest_folder_writable_by_others_is_refused_and_one_only_root_writes_to_is_not()
    {
        var folder = _folder["shared"];
        Directory.CreateDirectory(folder);

        Assert.Null(FolderSafety.Problem(folder));
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
        Assert.Contains("is writable by every user (mode 0777)", FolderSafety.Problem(folder));
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit);
        Assert.Contains("is writable by every user", FolderSafety.Problem(folder)); // sticky is no excuse for dest's own folder
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_101);
        Assert.Null(FolderSafety.Problem(folder)); // group-writable, but the group is root's
        Run("chgrp", "12345", folder);
        Assert.Contains("is writable by group gid 12345", FolderSafety.Problem(folder));
    }

    [Fact]
    public void A_dest_folder_owned_by_another_user_is_refused()
    {
        var folder = _folder["theirs"];
        Directory.CreateDirectory(folder);
        Run("chown", "12345:12345", folder);

        Assert.Contains("is owned by uid 12345", FolderSafety.Problem(folder));
        Assert.Contains("above it", FolderSafety.Problem(Path.Combine(folder, "sub")) ?? string.Empty);
    }

    [Fact]
    public void A_dest_folder_whose_acl_lets_another_user_or_group_write_is_refused_unless_the_mask_forbids_it()
    {
        var folder = _folder["acl"];
        Directory.CreateDirectory(folder);

        Run("setfacl", "-m", "u:0:rwx,g:0:rwx", folder);
        Assert.Null(FolderSafety.Problem(folder)); // root's entries
        Run("setfacl", "-m", "u:12345:rwx", folder);
        Assert.Equal($"folder {folder} has an ACL entry granting write to uid 12345: make it writable only by root or the daemon's user (setfacl -x)", FolderSafety.Problem(folder));
        Run("setfacl", "-m", "m::r-x", folder);
        Assert.Null(FolderSafety.Problem(folder)); // the mask caps the named entry below write
        Run("setfacl", "-b", folder);
        Run("setfacl", "-m", "g:12345:rwx", folder);
        Assert.Contains("has an ACL entry granting write to gid 12345", FolderSafety.Problem(folder));
        Assert.Contains("above it", FolderSafety.Problem(Path.Combine(folder, "sub")) ?? string.Empty);
    }

    [Fact]
    public void A_dest_folder_reached_through_a_link_is_checked_where_the_link_leads()
    {
        var theirs = _folder["theirs"];
        Directory.CreateDirectory(Path.Combine(theirs, "etc"));
        Run("chown", "12345:12345", theirs);
        var link = _folder["etc-haproxy"];
        File.CreateSymbolicLink(link, Path.Combine(theirs, "etc"));

        Assert.Equal(
            $"folder {theirs}, above it (where {link} leads), is owned by uid 12345, not by root or the daemon's user: its owner could swap the files written there",
            FolderSafety.Problem(link));
        Run("chown", "0:0", theirs);
        Assert.Null(FolderSafety.Problem(link));
    }

    [Fact]
    public void A_sticky_world_writable_folder_above_dest_is_allowed_as_tmp_is()
    {
        Assert.Null(FolderSafety.Problem(_folder.Path));
        Assert.True(new DirectoryInfo("/tmp").UnixFileMode.HasFlag(UnixFileMode.StickyBit));
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
