using System.Diagnostics;

namespace Reconciler.Bench;

/// <summary>
/// confd (<c>../shared/tools/confd</c>) in watch mode over the same keys, with the scenario template's server lines
/// as a Go template, <c>check_cmd = true</c> and no reload: the peer the cold-path numbers stand next to.
/// </summary>
public sealed class ConfdDaemon : IMeasuredDaemon
{
    private readonly DaemonProcess _process;

    private ConfdDaemon(DaemonProcess process, string destPath)
    {
        _process = process;
        DestPath = destPath;
    }

    public long StartedAt => _process.StartedAt;

    public string DestPath { get; }

    public static ConfdDaemon Start(string executable, string folder, string etcdUrl)
    {
        var (confdir, destPath) = WriteConfdir(folder);
        return new ConfdDaemon(DaemonProcess.Start(StartInfo(executable, confdir, etcdUrl, watch: true), "confd"), destPath);
    }

    /// <summary>confd's command line over the keys of <see cref="WriteConfdir"/>: <c>-watch</c>, or one pass (<c>-onetime</c>).</summary>
    public static ProcessStartInfo StartInfo(string executable, string confdir, string etcdUrl, bool watch) => new(executable)
    {
        ArgumentList = { "-backend", "etcdv3", "-node", etcdUrl, watch ? "-watch" : "-onetime", "-confdir", confdir, "-log-level", "info" },
    };

    /// <summary>The confdir (resource and template) in <paramref name="folder"/>, and the dest it writes.</summary>
    public static (string Confdir, string DestPath) WriteConfdir(string folder)
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
        return (confdir, destPath);
    }

    public MemoryUsage ReadMemory()
    {
        _process.ThrowIfExited();
        return MemoryUsage.Of(_process.Id);
    }

    public InvalidOperationException Failure(string what) => _process.Failure(what);

    public void Dispose() => _process.Dispose();
}
