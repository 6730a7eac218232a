using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Packaging;

/// <summary>Runs alone: the package's publish takes both cores for a minute or two and would slow timing-sensitive tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DebianPackageCollection
{
    public const string Name = "Debian package";
}

/// <summary>
/// scripts/package.sh's package: what dpkg sees (metadata, files, conffiles), and the packaged executable run from
/// an unpacked root with no .NET anywhere on PATH or in the environment.
/// </summary>
[Collection(DebianPackageCollection.Name)]
public sealed class DebianPackageTests(DebianPackage package) : IClassFixture<DebianPackage>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string Version => $"{DebianPackage.UpstreamVersion}-1";

    [Fact]
    public async Task Metadata_names_the_version_and_depends_on_no_dotnet_package()
    {
        Assert.Equal($"reconciler_{Version}_amd64.deb", Path.GetFileName(package.PackagePath));
        var fields = await package.DpkgDebAsync("-f", package.PackagePath, "Package", "Version", "Architecture", "Depends");

        Assert.Contains("Package: reconciler\n", fields);
        Assert.Contains($"Version: {Version}\n", fields);
        Assert.Contains("Architecture: amd64\n", fields);
        Assert.Contains("libssl3", fields);
        Assert.DoesNotContain("dotnet", fields);
        Assert.DoesNotContain("aspnetcore", fields);
    }

    [Fact]
    public async Task Files_are_laid_out_as_a_debian_daemon_with_its_configuration_as_conffiles()
    {
        var listing = await package.DpkgDebAsync("-c", package.PackagePath);

        Assert.Contains("./usr/bin/reconciler -> ../lib/reconciler/reconciler", listing);
        foreach (var path in new[]
                 {
                     // the runtime travels with it: self-contained
                     "./usr/lib/reconciler/reconciler", "./usr/lib/reconciler/libcoreclr.so", "./usr/lib/reconciler/System.Private.CoreLib.dll",
                     "./lib/systemd/system/reconciler.service",
                     "./etc/reconciler/reconciler.conf", "./etc/reconciler/templates/haproxy.cfg.sbn",
                     "./usr/share/doc/reconciler/copyright", "./usr/share/doc/reconciler/changelog.Debian.gz",
                     "./usr/share/doc/reconciler/examples/reference.conf", "./usr/share/man/man1/reconciler.1.gz",
                 })
        {
            Assert.Contains($" {path}\n", listing.Replace(" -> ", "\n"));
        }

        Assert.Equal(
            ["/etc/reconciler/reconciler.conf", "/etc/reconciler/templates/haproxy.cfg.sbn"],
            File.ReadAllLines(Path.Combine(package.Control, "conffiles")));
    }

    [Fact]
    public async Task The_packaged_executable_runs_version_and_check_without_dotnet()
    {
        var version = await RunPackagedAsync("--version");
        Assert.True(version.ExitCode == 0, version.Stderr);
        Assert.StartsWith(DebianPackage.UpstreamVersion, version.Stdout);

        var config = Path.Combine(package.Root, "etc", "reconciler", "reconciler.conf");
        var check = await RunPackagedAsync("check", "--config", config);
        Assert.True(check.ExitCode == 0, check.Stderr);
        Assert.Contains($"{config}: ok, 1 template(s): haproxy", check.Stdout + check.Stderr);
    }

    [Fact]
    public async Task The_packaged_executable_runs_with_the_dotnet_installation_hidden()
    {
        // a private mount namespace with an empty tmpfs over the .NET installation this test runs on
        if ((await ExternalCommand.RunAsync("unshare", ["-m", "true"], Timeout)).ExitCode != 0)
        {
            return; // no mount namespaces here (not root, or a container without CAP_SYS_ADMIN): the test above stands alone
        }

        var dotnetRoot = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var executable = Path.Combine(package.Root, "usr", "bin", "reconciler");
        var config = Path.Combine(package.Root, "etc", "reconciler", "reconciler.conf");
        var script = $"mount -t tmpfs none '{dotnetRoot}' && test ! -e '{dotnetRoot}/shared' && '{executable}' --version && '{executable}' check --config '{config}'";

        var run = await ExternalCommand.RunAsync("unshare", ["-m", "/bin/sh", "-c", script], Timeout);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode} with {dotnetRoot} hidden: {run.Stderr}");
        Assert.StartsWith(DebianPackage.UpstreamVersion, run.Stdout);
        Assert.Contains("ok, 1 template(s): haproxy", run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task The_packaged_check_refuses_a_broken_template_with_exit_2()
    {
        var etc = Directory.CreateTempSubdirectory("reconciler-deb-etc-").FullName;
        try
        {
            var config = Path.Combine(etc, "reconciler.conf");
            File.Copy(Path.Combine(package.Root, "etc", "reconciler", "reconciler.conf"), config);
            Directory.CreateDirectory(Path.Combine(etc, "templates"));
            File.WriteAllText(Path.Combine(etc, "templates", "haproxy.cfg.sbn"), "global\n{{ for s in getvs \"/apps/*\" }}\n");

            var check = await RunPackagedAsync("check", "--config", config);

            Assert.Equal(2, check.ExitCode);
            Assert.Contains("haproxy.cfg.sbn", check.Stderr);
            Assert.DoesNotContain("   at ", check.Stderr);
        }
        finally
        {
            Directory.Delete(etc, recursive: true);
        }
    }

    [Fact]
    public async Task The_unit_runs_the_packaged_executable_and_passes_systemd_analyze_verify()
    {
        var unit = File.ReadAllText(Path.Combine(package.Root, "lib", "systemd", "system", "reconciler.service"));
        Assert.Contains("\nExecStart=/usr/bin/reconciler --config /etc/reconciler/reconciler.conf\n", unit);
        if (!File.Exists("/usr/bin/systemd-analyze"))
        {
            return; // no systemd here: the unit's content is all there is to check
        }

        // verify also checks that ExecStart exists: point it at the unpacked executable instead of /usr/bin
        var copy = Path.Combine(package.Root, "reconciler.service");
        File.WriteAllText(copy, unit.Replace("ExecStart=/usr/bin/reconciler ", $"ExecStart={Path.Combine(package.Root, "usr", "bin", "reconciler")} "));
        var verify = await ExternalCommand.RunAsync("/usr/bin/systemd-analyze", ["verify", copy], Timeout);

        Assert.True(verify.ExitCode == 0 && verify.Stderr.Trim().Length == 0, $"exit {verify.ExitCode}: {verify.Stderr}");
    }

    /// <summary>The unpacked <c>/usr/bin/reconciler</c> with an environment of PATH (the package's bin only) and HOME.</summary>
    private Task<ProcessResult> RunPackagedAsync(params string[] args)
    {
        var bin = Path.Combine(package.Root, "usr", "bin");
        var environment = new Dictionary<string, string> { ["PATH"] = bin, ["HOME"] = package.Root };
        return ExternalCommand.RunAsync(Path.Combine(bin, "reconciler"), args, Timeout, environment);
    }
}
