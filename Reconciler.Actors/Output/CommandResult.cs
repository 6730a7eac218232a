using System.Globalization;

namespace Reconciler.Actors.Output;

/// <summary>
/// How a <c>check-cmd</c> or <c>reload-cmd</c> run went. <paramref name="Output"/> is stdout and stderr
/// interleaved as written, keeping only the tail of a noisy command.
/// </summary>
public sealed record CommandResult(int ExitCode, string Output, TimeSpan Duration, bool TimedOut, bool Cancelled = false)
{
    private const int MaxSummaryLineLength = 200;

    public bool Succeeded => ExitCode == 0 && !TimedOut && !Cancelled;

    /// <summary>One line for logs and status, e.g. <c>exit 1: [ALERT] parsing haproxy.cfg ...</c> or <c>timed out after 30s</c>.</summary>
    public string Summary
    {
        get
        {
            var outcome = TimedOut ? $"timed out after {Seconds()}"
                : Cancelled ? $"cancelled after {Seconds()}"
                : $"exit {ExitCode}";
            var lastLine = LastLine();
            return lastLine.Length == 0 ? outcome : $"{outcome}: {lastLine}";
        }
    }

    private string Seconds() => Duration.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";

    /// <summary>The last non-blank output line: where commands usually say what went wrong.</summary>
    private string LastLine()
    {
        var text = Output.AsSpan().TrimEnd();
        var line = text[(text.LastIndexOf('\n') + 1)..].Trim();
        return line.Length <= MaxSummaryLineLength ? line.ToString() : string.Concat(line[..MaxSummaryLineLength], "…");
    }
}
