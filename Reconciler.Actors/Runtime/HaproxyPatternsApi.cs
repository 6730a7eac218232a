using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// runtime.type = haproxy-map or haproxy-acl: the file's entries replace the running ones in one versioned
/// transaction (<c>prepare</c>, <c>add @V</c> in batches, <c>commit @V</c>), so requests see the old set or the new
/// one, never a mix; then <c>show</c> reads them back in order. Each batch is its own socket command, so other
/// clients of the socket are served between them.
/// </summary>
internal sealed partial class HaproxyPatternsApi(bool isMap, string name, HaproxyRuntimeClient client) : IHaproxyRuntimeApi
{
    private string Kind => isMap ? "map" : "acl";

    // HAProxy parses a pattern by the match method haproxy.cfg uses; mapEntries' kinds keep values to one
    public string? Unfit(Func<string> rendered) => null;

    public RuntimeChange ChangeBetween(string live, string rendered) => HaproxyPatternsChange.Between(live, rendered, isMap, name);

    // a batch takes HAProxy well under a millisecond; this bounds a wedged socket, not a large map
    public TimeSpan BoundFor(RuntimeChange change, TimeSpan commandTimeout) => commandTimeout + TimeSpan.FromMilliseconds(20 * change.CommandCount);

    public async Task<RuntimeApplyResult> ApplyAsync(RuntimeChange change, CancellationToken cancellationToken)
    {
        var patterns = (HaproxyPatternsChange)change;
        var watch = Stopwatch.StartNew();
        var sent = 0;
        if (!patterns.ChangesPatterns)
        {
            return RuntimeApplyResult.Done(0, watch.Elapsed);
        }

        try
        {
            var prepared = await client.SendAsync($"prepare {Kind} {name}", cancellationToken);
            sent++;
            if (NewVersion().Match(prepared) is not { Success: true } version)
            {
                return Refused($"prepare {Kind} {name}", prepared, sent, watch);
            }

            foreach (var batch in patterns.Batches())
            {
                var answer = isMap
                    ? await client.SendPayloadAsync($"add map @{version.Groups[1].Value} {name}", batch, cancellationToken)
                    : await client.SendAllAsync([.. batch.Select(p => $"add acl @{version.Groups[1].Value} {name} {p}")], cancellationToken);
                sent++;
                if (!IsBlank(answer, isMap ? 1 : batch.Count))
                {
                    return Refused($"add {Kind} @{version.Groups[1].Value} {name}", answer, sent, watch);
                }
            }

            var committed = await client.SendAsync($"commit {Kind} @{version.Groups[1].Value} {name}", cancellationToken);
            sent++;
            if (!IsBlank(committed, 1))
            {
                return Refused($"commit {Kind} @{version.Groups[1].Value} {name}", committed, sent, watch);
            }

            var mismatch = Mismatch(await client.SendAsync($"show {Kind} {name}", cancellationToken), patterns.Patterns);
            return mismatch is null ? RuntimeApplyResult.Done(sent, watch.Elapsed) : RuntimeApplyResult.FellBack(RuntimeFallback.Mismatch, mismatch, sent, watch.Elapsed);
        }
        catch (HaproxySocketException e)
        {
            return RuntimeApplyResult.FellBack(RuntimeFallback.Socket, e.Message, sent, watch.Elapsed);
        }
    }

    public async Task<string?> CompareAsync(string file, CancellationToken cancellationToken) =>
        Mismatch(await client.SendAsync($"show {Kind} {name}", cancellationToken), HaproxyPatternFile.Read(file, isMap));

    /// <summary>
    /// <c>show map</c> answers <c>0xADDR key value</c> per entry, <c>show acl</c> <c>0xADDR pattern</c>, in the order
    /// they match; null when that is the file's order and content.
    /// </summary>
    private string? Mismatch(string answer, IReadOnlyList<HaproxyPattern> expected)
    {
        var lines = answer.Split('\n').Where(line => line.Length > 0).ToList();
        if (lines.Count > 0 && !lines[0].StartsWith("0x", StringComparison.Ordinal))
        {
            return $"show {Kind} {name} answered {HaproxyCliWord.Printable(lines[0])}";
        }

        for (var i = 0; i < Math.Max(lines.Count, expected.Count); i++)
        {
            var running = i < lines.Count ? Running(lines[i]) : null;
            var wanted = i < expected.Count ? expected[i] : null;
            if (running != wanted)
            {
                return $"{Kind} {name} entry {i + 1} runs as {Describe(running)}, the file has {Describe(wanted)} ({lines.Count} running, {expected.Count} in the file)";
            }
        }

        return null;
    }

    private HaproxyPattern Running(string line)
    {
        var entry = line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..];
        if (!isMap)
        {
            return new HaproxyPattern(entry, null);
        }

        var space = entry.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? new HaproxyPattern(entry, string.Empty) : new HaproxyPattern(entry[..space], entry[(space + 1)..]);
    }

    private static string Describe(HaproxyPattern? pattern) =>
        pattern is null ? "nothing" : HaproxyCliWord.Printable(pattern.ToString().Length > 80 ? pattern.ToString()[..80] + "..." : pattern.ToString());

    // a command that succeeds answers an empty line; a dropped one (its payload too large) nothing at all
    private static bool IsBlank(string answer, int commands) => answer.Count(c => c == '\n') >= commands && answer.Trim().Length == 0;

    private static RuntimeApplyResult Refused(string command, string answer, int sent, Stopwatch watch)
    {
        return RuntimeApplyResult.FellBack(RuntimeFallback.Refused, $"HAProxy refused '{command}': {HaproxyAnswer.FirstLine(answer)}", sent, watch.Elapsed);
    }

    [GeneratedRegex(@"\ANew version created: ([0-9]+)\s*\z")]
    private static partial Regex NewVersion();
}
