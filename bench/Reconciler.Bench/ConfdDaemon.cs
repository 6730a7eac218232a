using System.Diagnostics;

namespace Reconciler.Bench;

/// <summary>
/// confd (<c>../shared/tools/confd</c>) in watch mode over the same keys, with the scenario template's server lines
/// as a Go template, <c>check_cmd = true</c> and no reload: the peer the cold-path numbers stand next to.
/// </summary>
public sealed class ConfdDaemon : IMeasuredDaemon
{
    private readonly Process _process;
    private readonly LastLines _lastLines = new("confd");

    private ConfdDaemon(Process process, long startedAt, string destPath)
    {
        _process = process;
        StartedAt = startedAt;
        DestPath = destPath;
    }

    public long StartedAt { get; }

    public string DestPath { get; }

    public static ConfdDaemon Start(string executable, string folder, string etcdUrl)
    {
        var confdir = Path.Combine(folder, "confd");
        Directory.CreateDirectory(Path.Combine(confdir, "conf.d"));
        Directory.CreateDirectory(Path.Combine(confdir, "templates"));
        var destPath = Path.Combine(folder, "haproxy.cfg");
        File.WriteAllText(Path.Combine(confdir, "conf.d", "haproxy.toml"), $"""
            [template]
            src = "haproxy.cfg.tmpl"
            dest = "{destPath}"
            keys = [ "{ScenarioKeys.Prefix}" ]
            check_cmd = "true"
            """);
        File.WriteAllText(Path.Combine(confdir, "templates", "haproxy.cfg.tmpl"), $$$"""
            backend application-backend
                balance leastconn
                cookie JSESSIONID prefix
            {{range getvs "{{{ScenarioKeys.Prefix}}}/*"}}    server {{.}} cookie A check
            {{end}}
            """);

        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "-backend", "etcdv3", "-node", etcdUrl, "-watch", "-confdir", confdir, "-log-level", "info" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {executable}");
        var daemon = new ConfdDaemon(process, startedAt, destPath);
        process.OutputDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    public MemoryUsage ReadMemory()
    {
        if (_process.HasExited)
        {
            throw Failure($"confd exited with code {_process.ExitCode}");
        }

        return MemoryUsage.Of(_process.Id);
    }

    public InvalidOperationException Failure(string what) => _lastLines.Failure(what);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lastLines.Add(line);
    }
}
