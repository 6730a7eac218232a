namespace Reconciler.Tests.Fixtures;

/// <summary>
/// The Debian package, built once per test run by <c>scripts/package.sh</c> from this checkout (a native AOT
/// publish in its own artifacts folder, two to four minutes, or the executable scripts/test.sh published:
/// <c>RECONCILER_PACKAGE_EXECUTABLE</c>) and unpacked into a temp root, as dpkg would lay it out.
/// </summary>
public sealed class DebianPackage : IAsyncLifetime
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(15);

    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-deb-").FullName;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The upstream version of Directory.Build.props; the package's is this with Debian revision 1.</summary>
    public static string UpstreamVersion { get; } = System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Build.props"))
        .Descendants("Version").Single().Value;

    public string PackagePath { get; private set; } = "";

    /// <summary>Where the package's files were unpacked (<c>dpkg-deb -x</c>).</summary>
    public string Root => Path.Combine(_folder, "root");

    /// <summary>The package's control files (<c>dpkg-deb -e</c>): control, conffiles, maintainer scripts.</summary>
    public string Control => Path.Combine(_folder, "DEBIAN");

    public async Task InitializeAsync()
    {
        // scripts/test.sh publishes the native executable once, for this and for the executable's second pass
        var published = Environment.GetEnvironmentVariable("RECONCILER_PACKAGE_EXECUTABLE");
        var built = await ExternalCommand.RunAsync(
            Path.Combine(RepositoryRoot, "scripts", "package.sh"),
            string.IsNullOrEmpty(published) ? ["--out", Path.Combine(_folder, "dist")] : ["--out", Path.Combine(_folder, "dist"), "--executable", published],
            BuildTimeout);
        Assert.True(built.ExitCode == 0, $"scripts/package.sh exited {built.ExitCode}:\n{built.Stderr}");
        PackagePath = built.Stdout.Trim().Split('\n')[^1];

        await DpkgDebAsync("-x", PackagePath, Root);
        await DpkgDebAsync("-e", PackagePath, Control);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    public static async Task<string> DpkgDebAsync(params string[] args)
    {
        var result = await ExternalCommand.RunAsync("dpkg-deb", args, TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, $"dpkg-deb {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}");
        return result.Stdout;
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "scripts", "package.sh")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no scripts/package.sh above {AppContext.BaseDirectory}");
    }
}
