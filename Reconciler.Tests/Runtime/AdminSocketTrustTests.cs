using System.Diagnostics;
using System.Runtime.Versioning;
using Reconciler.Actors.Runtime;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Runtime;

[SupportedOSPlatform("linux")]
public sealed class AdminSocketTrustTests
{
    private const uint Nobody = 65534;

    [Theory]
    [InlineData(0u, 0u, 0u, true)]
    [InlineData(0u, 110u, 1000u, true)] // HAProxy's master binds as root
    [InlineData(110u, 110u, 0u, true)] // HAProxy run as its user, the socket its own
    [InlineData(1000u, 0u, 1000u, true)] // the daemon's own user
    [InlineData(Nobody, 0u, 0u, false)]
    [InlineData(Nobody, 110u, 0u, false)]
    public void The_listener_must_be_root_the_daemons_user_or_the_socket_files_owner(uint listener, uint owner, uint daemon, bool trusted)
    {
        Assert.Equal(trusted, AdminSocketTrust.PeerProblem(listener, owner, daemon) is null);
    }

    [Fact]
    public async Task A_socket_in_a_folder_others_may_write_to_is_never_sent_a_command()
    {
        await using var socket = new CannedAdminSocket(_ => "\n");
        var client = new HaproxyRuntimeClient(socket.Path, TimeSpan.FromSeconds(5));
        var folder = Path.GetDirectoryName(socket.Path)!;
        Assert.Equal("\n", await client.SendAsync("show info", default));

        File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_101 | UnixFileMode.SetGroup); // 2775, as Debian's /run/haproxy
        await Run("chgrp", "12345", folder);
        var error = await Assert.ThrowsAsync<HaproxySocketException>(() => client.SendAsync("show info", default));

        Assert.Equal($"socket {socket.Path} not used: folder {folder} is writable by group gid 12345 (mode 2775): make it writable only by root or the daemon's user", error.Message);
        Assert.Equal(["show info"], socket.Received);
    }

    [Fact]
    public async Task A_listener_run_by_another_user_is_never_sent_a_command_unless_the_socket_file_is_its_own()
    {
        // HAProxy as nobody binds its socket in nobody's folder; moved into a folder only root writes to, the socket
        // file stays nobody's (accepted: HAProxy run as its own user) until it is chowned to root while nobody still listens
        var root = Directory.CreateTempSubdirectory("reconciler-peer-").FullName;
        try
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
            var theirs = Directory.CreateDirectory(Path.Combine(root, "nobody")).FullName;
            await Run("chown", $"{Nobody}:{Nobody}", theirs);
            var safe = Directory.CreateDirectory(Path.Combine(root, "safe")).FullName;
            var config = Path.Combine(root, "haproxy.cfg");
            File.WriteAllText(config, $"global\n    stats socket {theirs}/admin.sock mode 666 level admin\n");
            var start = new ProcessStartInfo("setpriv") { ArgumentList = { $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "haproxy", "-db", "-f", config }, RedirectStandardError = true, RedirectStandardOutput = true };
            using var haproxy = Process.Start(start)!;
            try
            {
                await Poll.UntilAsync(() => File.Exists(Path.Combine(theirs, "admin.sock")), TimeSpan.FromSeconds(30), () => "HAProxy run as nobody made no socket");
                var socket = Path.Combine(safe, "admin.sock");
                File.Move(Path.Combine(theirs, "admin.sock"), socket);
                var client = new HaproxyRuntimeClient(socket, TimeSpan.FromSeconds(5));

                Assert.Contains("Name: HAProxy", await client.SendAsync("show info", default), StringComparison.Ordinal);
                await Run("chown", "0:0", socket);
                var error = await Assert.ThrowsAsync<HaproxySocketException>(() => client.SendAsync("show info", default));

                Assert.Equal($"socket {socket} not used: it is served by uid {Nobody}, neither root, the daemon's user nor the socket file's owner (uid 0): not HAProxy", error.Message);
            }
            finally
            {
                haproxy.Kill();
                await haproxy.WaitForExitAsync();
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task Run(string program, params string[] arguments) =>
        Assert.Equal(0, (await ExternalCommand.RunAsync(program, arguments, TimeSpan.FromSeconds(30))).ExitCode);
}
