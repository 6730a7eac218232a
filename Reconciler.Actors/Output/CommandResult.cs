using System.Globalization;
using System.Text.RegularExpressions;

namespace Reconciler.Actors.Output;

/// <summary>
/// How a <c>check-cmd</c> or <c>reload-cmd</c> run went. <paramref name="Output"/> is stdout and stderr
/// interleaved as written, keeping only the tail of a noisy command.
/// </summary>
public sealed partial record CommandResult(int ExitCode, string Output, TimeSpan Duration, bool TimedOut, bool Cancelled = false)
{
    private const int MaxSummaryLineLength = 200;

    public bool Succeeded => ExitCode == 0 && !TimedOut && !Cancelled;

    /// <summary>The output was dropped: the command ran for a file that holds secrets (log-diff = false), which it may quote.</summary>
    public bool OutputWithheld { get; init; }

    /// <summary>This result without its output, for a file whose content must not reach a log or /healthz.</summary>
    public CommandResult Withheld() => this with { Output = string.Empty, OutputWithheld = true };

    /// <summary>One line for logs and status, e.g. <c>exit 1: [ALERT] parsing haproxy.cfg ...</c> or <c>timed out after 30s</c>.</summary>
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

            var line = Shortened(Succeeded ? LastLine() : MostTellingLine());
            return line.Length == 0 ? outcome : $"{outcome}: {line}";
        }
    }

    private string Seconds() => Duration.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";

    private static string Shortened(string line) =>
        line.Length <= MaxSummaryLineLength ? line : string.Concat(line.AsSpan(0, MaxSummaryLineLength), "…");

    /// <summary>The last non-blank output line.</summary>
    private string LastLine()
    {
        var text = Output.AsSpan().TrimEnd();
        return text[(text.LastIndexOf('\n') + 1)..].Trim().ToString();
    }

    /// <summary>
    /// The first line that reads as an error: commands name the cause first and sum up after it (HAProxy's
    /// <c>[ALERT] … unknown keyword 'with'</c> before its <c>Fatal errors found in configuration</c>, nginx's
    /// <c>[emerg]</c> before <c>test failed</c>); the last non-blank line when none does.
    /// </summary>
    private string MostTellingLine()
    {
        foreach (var line in Output.Split('\n'))
        {
            if (ErrorLine().IsMatch(line))
            {
                return line.Trim();
            }
        }

        return LastLine();
    }

    [GeneratedRegex(@"\[(alert|emerg|crit|error|fatal)\]|\b(error|errors|fatal|failed|invalid|unknown|denied|not found)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorLine();
}
