using Reconciler.Actors.Output;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Systemd;

/// <summary>The built executable started as systemd starts a Type=notify service, read from a real notify socket.</summary>
[Trait("Executable", "reconciler")]
public sealed class SystemdServiceTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-systemd-").FullName;
    private readonly NotifySocket _socket = new();

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Ready_once_the_file_is_in_place_then_watchdog_then_stopping_on_sigterm_and_exit_0()
    {
        var config = WriteConfig(check: "test -s {{src}}");
        using var daemon = RunningReconciler.Start(Systemd(watchdogUsec: "400000"), "--config", config);

        var ready = await _socket.ExpectAsync(m => m.Contains("READY=1"), Timeout, "READY=1");
        Assert.Equal("web-1;", File.ReadAllText(Path.Combine(_folder, "out.txt")));
        Assert.Contains("STATUS=revision 1 applied", ready);
        await _socket.ExpectAsync(m => m == "WATCHDOG=1", Timeout, "WATCHDOG=1 after READY");

        daemon.Signal(LibC.SIGTERM);

        await _socket.ExpectAsync(m => m.Contains("STOPPING=1"), Timeout, "STOPPING=1");
        Assert.Equal(0, (await daemon.WaitForExitAsync(Timeout)).ExitCode);
    }

    [Fact]
    public async Task No_ready_while_a_template_fails_its_check_ready_once_it_passes()
    {
        var reject = Path.Combine(_folder, "reject");
        File.WriteAllText(reject, "");
        var config = WriteConfig(check: $"test ! -e '{reject}'");
        using var daemon = RunningReconciler.Start(Systemd(watchdogUsec: null), "--config", config);

        var failing = await _socket.ExpectAsync(m => m.Contains("t: exit 1"), Timeout, "a STATUS naming the failed check");
        Assert.DoesNotContain(_socket.Received, m => m.Contains("READY=1"));
        Assert.Contains("0/1 templates in sync", failing);

        // the failed render is retried with backoff: once the check passes, the file is in place and READY follows
        File.Delete(reject);

        await _socket.ExpectAsync(m => m.Contains("READY=1"), Timeout, "READY=1 after the check passed");
        Assert.Equal("web-1;", File.ReadAllText(Path.Combine(_folder, "out.txt")));
    }

    private Dictionary<string, string> Systemd(string? watchdogUsec)
    {
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = _socket.Address };
        if (watchdogUsec is not null)
        {
            environment["WATCHDOG_USEC"] = watchdogUsec;
        }

        return environment;
    }

    private string WriteConfig(string check)
    {
        File.WriteAllText(Path.Combine(_folder, "keys.yaml"), "/a/1: web-1\n");
        File.WriteAllText(Path.Combine(_folder, "t.sbn"), """{{ for v in getvs "/a/*" }}{{ v }};{{ end }}""");
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, $$"""
            reconciler.backend { type = file, file.path = keys.yaml }
            reconciler.debounce { quiet = 0ms, max = 1s }
            reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["/a"], check-cmd = "{{check}}" }]
            """);
        return config;
    }
}
