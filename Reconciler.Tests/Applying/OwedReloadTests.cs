using Reconciler.Actors.Applying;

namespace Reconciler.Tests.Applying;

public sealed class OwedReloadTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-owed-").FullName;

    private string Dest => Path.Combine(_folder, "etc", "haproxy.cfg");

    private string StateDir => Path.Combine(_folder, "state");

    private string BesideDest => Path.Combine(_folder, "etc", ".haproxy.cfg.reconciler-reload-owed");

    public OwedReloadTests() => Directory.CreateDirectory(Path.GetDirectoryName(Dest)!);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void With_a_state_dir_the_debt_is_kept_there_and_not_next_to_dest()
    {
        var owed = new OwedReload(Dest, StateDir);

        owed.Owe();

        Assert.StartsWith(Path.Combine(StateDir, "owed") + "/", owed.MarkerPath, StringComparison.Ordinal);
        Assert.True(File.Exists(owed.MarkerPath));
        Assert.False(File.Exists(BesideDest));
        Assert.True(new OwedReload(Dest, StateDir).IsOwed); // a process after this one finds it
        owed.Paid();
        Assert.False(new OwedReload(Dest, StateDir).IsOwed);
    }

    [Fact]
    public void An_unusable_state_dir_keeps_the_debt_next_to_dest_so_it_still_survives_a_restart()
    {
        File.WriteAllText(StateDir, "a file where the state dir should be");

        new OwedReload(Dest, StateDir).Owe();

        Assert.True(File.Exists(BesideDest));
        Assert.True(new OwedReload(Dest, StateDir).IsOwed);
    }

    [Fact]
    public void A_marker_an_earlier_version_left_next_to_dest_is_honoured_and_removed_once_paid()
    {
        new OwedReload(Dest).Owe();
        Assert.True(File.Exists(BesideDest));

        var owed = new OwedReload(Dest, StateDir);
        Assert.True(owed.IsOwed);
        owed.Paid();

        Assert.False(File.Exists(BesideDest));
        Assert.False(owed.IsOwed);
    }
}
