using System.Globalization;
using System.Text.RegularExpressions;

namespace Reconciler.Actors.Output;

/// <summary>
/// How a <c>check-cmd</c> or <c>reload-cmd</c> run went. <paramref name="Output"/> is stdout and stderr
/// interleaved as their chunks arrived, keeping only the tail of a noisy command.
/// </summary>
public sealed partial record CommandResult(int ExitCode, string Output, TimeSpan Duration, bool TimedOut, bool Cancelled = false)
{
    private const int MaxSummaryLineLength = 200;

    public bool Succeeded => ExitCode == 0 && !TimedOut && !Cancelled;

    /// <summary>stderr alone (its tail, as <see cref="Output"/>): where a failed command says why.</summary>
    public string Errors { get; init; } = string.Empty;

    /// <summary>The output was dropped: the command ran for a file that holds secrets (log-diff = false), which it may quote.</summary>
    public bool OutputWithheld { get; init; }

    /// <summary>This result without its output, for a file whose content must not reach a log or /healthz.</summary>
    public CommandResult Withheld() => this with { Output = string.Empty, Errors = string.Empty, OutputWithheld = true };

    /// <summary>
    /// One line for logs and status, e.g. <c>exit 1: [ALERT] parsing haproxy.cfg ...</c> or <c>timed out after 30s</c>:
    /// a failure is summed up by its cause (<see cref="Cause"/>), a success by its last line.
    /// </summary>
    public string Summary
    {
        get
        {
            var outcome = TimedOut ? $"timed out after {Seconds()}"
                : Cancelled ? $"cancelled after {Seconds()}"
                : $"exit {ExitCode}";
            if (OutputWithheld)
            {
                return $"{outcome} (output withheld: log-diff = false)";
            }

            var line = Shortened(Succeeded ? LastLine(Lines(Output)) : Cause());
            return line.Length == 0 ? outcome : $"{outcome}: {line}";
        }
    }

    private string Seconds() => Duration.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";

    private static string Shortened(string line) =>
        line.Length <= MaxSummaryLineLength ? line : string.Concat(line.AsSpan(0, MaxSummaryLineLength), "…");

    /// <summary>
    /// The line that says why it failed. Commands name the cause first and sum up after it, and say it on stderr: an
    /// error-tagged line (HAProxy's <c>[ALERT] … unknown keyword 'with'</c> before its <c>Fatal errors found</c>, nginx's
    /// <c>[emerg]</c>), else stderr's first line that is not a notice or warning (<c>cat: /run/haproxy.pid: No such
    /// file or directory</c> before the shell's <c>kill</c> usage), else stdout's first line that reads as an error or its
    /// last line (HAProxy's <c>… will not start (no listener) =&gt; exit(2)</c>), else stderr's first line.
    /// </summary>
    private string Cause()
    {
        var all = Lines(Output);
        var errors = Lines(Errors);
        var stderr = errors.ToHashSet(StringComparer.Ordinal);
        var stdout = all.Where(line => !stderr.Contains(line)).ToList();
        return all.FirstOrDefault(line => ErrorTag().IsMatch(line))
            ?? errors.FirstOrDefault(line => !MinorTag().IsMatch(line) && !line.StartsWith('|'))
            ?? stdout.FirstOrDefault(line => ErrorWords().IsMatch(line))
            ?? (stdout.Count > 0 ? stdout[^1] : errors.FirstOrDefault() ?? string.Empty);
    }

    /// <summary>The non-blank lines of <paramref name="text"/>, trimmed.</summary>
    private static List<string> Lines(string text) =>
        [.. text.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0)];

    private static string LastLine(List<string> lines) => lines.Count > 0 ? lines[^1] : string.Empty;

    [GeneratedRegex(@"\[(alert|emerg|crit|error|fatal)\]", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorTag();

    // HAProxy's and nginx's lines that do not say why it failed: the version banner, a missing timeout
    [GeneratedRegex(@"^[^\[]{0,40}\[(notice|warning|warn|info|debug)\]", RegexOptions.IgnoreCase)]
    private static partial Regex MinorTag();

    [GeneratedRegex(@"\b(error|errors|fatal|failed|invalid|unknown|denied|not found)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorWords();
}
