using System.Globalization;
using System.Text.RegularExpressions;
using Reconciler.Tests.Fixtures;
using Xunit.Abstractions;

namespace Reconciler.Tests.Packaging;

/// <summary>Runs alone: the package's publish takes both cores for a minute or two and would slow timing-sensitive tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "xunit's convention for a collection definition")]
public sealed class DebianPackageCollection
{
    public const string Name = "Debian package";
}

/// <summary>
/// scripts/package.sh's package: what dpkg sees (metadata, files, conffiles and the configuration's mode), its unit
/// (systemd-analyze verify and security; reload commands under its hardening where systemd runs), and the packaged
/// executable run from an unpacked root with no .NET anywhere on PATH or in the environment.
/// </summary>
[Collection(DebianPackageCollection.Name)]
public sealed partial class DebianPackageTests(DebianPackage package, ITestOutputHelper output) : IClassFixture<DebianPackage>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>systemd-analyze security</c>'s exposure of the packaged unit as measured (systemd 252; 5.4 before the
    /// hardening of issue 16). The bound is the score itself: it moves in tenths, and 2.3 already lets through a unit
    /// back on ProtectSystem=full or with CAP_DAC_OVERRIDE and CAP_KILL back in its bounding set.
    /// </summary>
    private const decimal ExposureBound = 2.2m;

    private static string Version => $"{DebianPackage.UpstreamVersion}-1";

    [Fact]
    public async Task Metadata_names_the_version_and_depends_on_no_dotnet_package()
    {
        Assert.Equal($"reconciler_{Version}_amd64.deb", Path.GetFileName(package.PackagePath));
        var fields = await DebianPackage.DpkgDebAsync("-f", package.PackagePath, "Package", "Version", "Architecture", "Depends");

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
        var listing = await DebianPackage.DpkgDebAsync("-c", package.PackagePath);

        // one native executable: no runtime, no assemblies, nothing under /usr/lib
        Assert.Matches(@"-rwxr-xr-x root/root +\d+ [-\d]+ [\d:]+ \./usr/bin/reconciler\n", listing);
        Assert.DoesNotContain("./usr/lib/", listing);
        Assert.DoesNotContain(".dll", listing);
        Assert.DoesNotContain(".so", listing);
        foreach (var path in new[]
                 {
                     "./lib/systemd/system/reconciler.service",
                     "./etc/reconciler/reconciler.conf", "./etc/reconciler/templates/haproxy.cfg.sbn",
                     "./etc/reconciler/templates/hosts.map.sbn", "./etc/reconciler/templates/deny.acl.sbn", "./etc/reconciler/templates/site.pem.sbn",
                     "./usr/share/doc/reconciler/copyright", "./usr/share/doc/reconciler/changelog.Debian.gz",
                     "./usr/share/doc/reconciler/examples/reference.conf", "./usr/share/man/man1/reconciler.1.gz",
                 })
        {
            Assert.Contains($" {path}\n", listing.Replace(" -> ", "\n"));
        }

        Assert.Equal(
            [
                "/etc/reconciler/reconciler.conf", "/etc/reconciler/templates/haproxy.cfg.sbn",
                "/etc/reconciler/templates/hosts.map.sbn", "/etc/reconciler/templates/deny.acl.sbn", "/etc/reconciler/templates/site.pem.sbn",
            ],
            File.ReadAllLines(Path.Combine(package.Control, "conffiles")));
    }

    [Fact]
    public async Task The_documentation_is_installed_under_usr_share_doc_with_its_links_intact()
    {
        var listing = (await DebianPackage.DpkgDebAsync("-c", package.PackagePath)).Replace(" -> ", "\n", StringComparison.Ordinal);
        var doc = Path.Combine(package.Root, "usr", "share", "doc", "reconciler");

        // every page of docs/, beside the README whose links point into it
        var pages = Directory.EnumerateFiles(Path.Combine(DebianPackage.RepositoryRoot, "docs"), "*.md", SearchOption.AllDirectories)
            .Select(page => Path.GetRelativePath(DebianPackage.RepositoryRoot, page))
            .Append("README.md")
            .ToList();
        Assert.Contains(Path.Combine("docs", "quick-start.md"), pages);
        foreach (var page in pages)
        {
            Assert.Contains($" ./usr/share/doc/reconciler/{page}\n", listing);
            Assert.Equal(File.ReadAllText(Path.Combine(DebianPackage.RepositoryRoot, page)), File.ReadAllText(Path.Combine(doc, page)));
        }
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
    public async Task The_packaged_demo_passes_check_where_it_is_shipped()
    {
        var demo = Path.Combine(package.Root, "usr", "share", "doc", "reconciler", "examples", "demo.conf");

        var check = await RunPackagedAsync("check", "--config", demo);

        Assert.True(check.ExitCode == 0, check.Stderr);
        Assert.Contains($"{demo}: ok, 1 template(s): haproxy", check.Stdout);
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

    [Fact]
    public async Task The_configuration_is_readable_by_root_only_as_it_may_hold_the_etcd_password()
    {
        var listing = await DebianPackage.DpkgDebAsync("-c", package.PackagePath);

        var entry = listing.Split('\n').Single(line => line.EndsWith(" ./etc/reconciler/reconciler.conf", StringComparison.Ordinal));
        Assert.StartsWith("-rw-r----- root/root ", entry);
    }

    [Fact]
    public async Task The_units_systemd_analyze_security_exposure_is_at_most_the_measured_one()
    {
        if (!File.Exists("/usr/bin/systemd-analyze"))
        {
            return; // no systemd here: the unit's content is all there is to check
        }

        var unit = Path.Combine(package.Root, "lib", "systemd", "system", "reconciler.service");
        var threshold = (int)(ExposureBound * 10); // --threshold counts in tenths
        var security = await ExternalCommand.RunAsync(
            "/usr/bin/systemd-analyze", ["security", "--offline=true", $"--threshold={threshold}", unit], Timeout);

        var overall = OverallExposure().Match(security.Stdout);
        Assert.True(overall.Success, $"exit {security.ExitCode}, no overall exposure in:\n{security.Stdout}{security.Stderr}");
        var exposure = decimal.Parse(overall.Groups["score"].Value.Replace(',', '.'), CultureInfo.InvariantCulture);
        var exposed = string.Join('\n', security.Stdout.Split('\n').Where(line => line.StartsWith('\u2717')));
        Assert.True(
            exposure <= ExposureBound && security.ExitCode == 0,
            $"exposure {exposure} (exit {security.ExitCode}), bound {ExposureBound}; what is exposed:\n{exposed}");
    }

    [Fact]
    public async Task Reload_commands_work_under_the_units_hardening_where_systemd_runs()
    {
        if (!Directory.Exists("/run/systemd/system"))
        {
            // sd_booted()'s test. Without systemd as PID 1 (a container, as here) there is no manager to start a unit
            // with the hardening or to take a `systemctl reload`.
            output.WriteLine("not run: PID 1 is not systemd, so no unit can run with the hardening and systemctl has no manager to talk to");
            return;
        }

        const string stateDirectory = "/var/lib/reconciler"; // the unit's StateDirectory=, made by systemd on start
        var stateExisted = Directory.Exists(stateDirectory);

        // A service to reload, as HAProxy would be: root, with a main process that takes SIGHUP and SIGUSR2
        var target = $"reconciler-test-reload-target-{Guid.NewGuid():N}";
        var started = await ExternalCommand.RunAsync(
            "systemd-run",
            ["--collect", $"--unit={target}", "-p", "ExecReload=/bin/kill -HUP $MAINPID", "/bin/sh", "-c", "trap '' HUP USR2; exec sleep infinity"],
            Timeout);
        Assert.True(started.ExitCode == 0, $"systemd-run {target}: exit {started.ExitCode}: {started.Stderr}");
        try
        {
            // The packaged unit's hardening, line for line, on a transient service that runs the packaged executable and
            // the two ways a reload-cmd reaches a service: through PID 1, and by signalling its root main process
            var unit = File.ReadAllText(Path.Combine(package.Root, "lib", "systemd", "system", "reconciler.service"));
            var hardening = unit[unit.IndexOf("# --- Hardening", StringComparison.Ordinal)..unit.IndexOf("[Install]", StringComparison.Ordinal)]
                .Split('\n')
                .Where(line => line.Length > 0 && !line.StartsWith('#'))
                .SelectMany(line => new[] { "-p", line });
            var executable = Path.Combine(package.Root, "usr", "bin", "reconciler");
            var script = $"set -e; '{executable}' --version; systemctl reload {target}; " +
                         $"kill -USR2 \"$(systemctl show --value -p MainPID {target})\"; systemctl is-active {target}";

            var run = await ExternalCommand.RunAsync(
                "systemd-run",
                ["--wait", "--pipe", "--collect", "--quiet", .. hardening, "-p", $"BindReadOnlyPaths={package.Root}", "/bin/sh", "-c", script],
                Timeout);

            Assert.True(run.ExitCode == 0, $"exit {run.ExitCode} under the hardening:\n{run.Stdout}{run.Stderr}");
            Assert.StartsWith(DebianPackage.UpstreamVersion, run.Stdout);
            Assert.EndsWith("active\n", run.Stdout);
        }
        finally
        {
            await ExternalCommand.RunAsync("systemctl", ["stop", target], Timeout);
            if (!stateExisted && Directory.Exists(stateDirectory))
            {
                Directory.Delete(stateDirectory);
            }
        }
    }

    /// <summary>The unpacked <c>/usr/bin/reconciler</c> with an environment of PATH (the package's bin only) and HOME.</summary>
    private Task<ProcessResult> RunPackagedAsync(params string[] args)
    {
        var bin = Path.Combine(package.Root, "usr", "bin");
        var environment = new Dictionary<string, string> { ["PATH"] = bin, ["HOME"] = package.Root };
        return ExternalCommand.RunAsync(Path.Combine(bin, "reconciler"), args, Timeout, environment);
    }

    /// <summary>systemd-analyze's last line: "→ Overall exposure level for reconciler.service: 2.2 OK 🙂".</summary>
    [GeneratedRegex(@"Overall exposure level for reconciler\.service: (?<score>\d+[.,]\d)")]
    private static partial Regex OverallExposure();
}
