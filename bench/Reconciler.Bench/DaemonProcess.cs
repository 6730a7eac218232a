using System.Diagnostics;

namespace Reconciler.Bench;

/// <summary>
/// A daemon under measure as a child process: its output read line by line, the last lines kept for the error that
/// says why it failed, and killed with its process tree on dispose.
/// </summary>
public sealed class DaemonProcess : IDisposable
{
    private const int LinesKept = 30;

    private readonly Process _process;
    private readonly string _name;
    private readonly Queue<string> _lastLines = new();

    private DaemonProcess(Process process, string name, long startedAt)
    {
        _process = process;
        _name = name;
        StartedAt = startedAt;
    }

    /// <summary><see cref="Stopwatch"/> timestamp taken just before the process was started.</summary>
    public long StartedAt { get; }

    public int Id => _process.Id;

    /// <summary>User + system CPU time so far (.NET reads utime+stime from <c>/proc/&lt;pid&gt;/stat</c>).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Starts <paramref name="start"/> with its standard streams redirected; each line it writes also goes to <paramref name="onLine"/>.</summary>
    public static DaemonProcess Start(ProcessStartInfo start, string name, Action<string>? onLine = null)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {name}");
        var daemon = new DaemonProcess(process, name, startedAt);
        process.OutputDataReceived += (_, e) => daemon.OnLine(e.Data, onLine);
        process.ErrorDataReceived += (_, e) => daemon.OnLine(e.Data, onLine);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw Failure($"{_name} exited with code {_process.ExitCode}");
        }
    }

    /// <summary>An error carrying the process's last lines, which usually say what went wrong.</summary>
    public InvalidOperationException Failure(string what)
    {
        lock (_lastLines)
        {
            return new InvalidOperationException($"{what}; {_name}'s last output:{Environment.NewLine}{string.Join(Environment.NewLine, _lastLines)}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void OnLine(string? line, Action<string>? onLine)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > LinesKept)
            {
                _lastLines.Dequeue();
            }
        }

        onLine?.Invoke(line);
    }
}
