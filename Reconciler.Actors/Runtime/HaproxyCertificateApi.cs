using System.Diagnostics;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// runtime.type = haproxy-cert: the file replaces the running certificate by <c>set ssl cert &lt;name&gt; &lt;&lt;</c>
/// and <c>commit ssl cert</c> (new TLS connections get it; open ones keep theirs), then <c>show ssl cert</c> must show
/// the file's serial and fingerprint. A refused transaction is aborted, so the next one starts clean.
/// </summary>
internal sealed class HaproxyCertificateApi(string name, HaproxyRuntimeClient client) : IHaproxyRuntimeApi
{
    public string? Unfit(Func<string> rendered) => HaproxyCertificateChange.Unfit(rendered());

    public RuntimeChange ChangeBetween(string live, string rendered) => HaproxyCertificateChange.Between(live, rendered, name);

    public TimeSpan BoundFor(RuntimeChange change, TimeSpan commandTimeout) => commandTimeout;

    public async Task<RuntimeApplyResult> ApplyAsync(RuntimeChange change, CancellationToken cancellationToken)
    {
        var certificate = (HaproxyCertificateChange)change;
        var watch = Stopwatch.StartNew();
        var sent = 0;
        if (!certificate.ChangesCertificate)
        {
            return RuntimeApplyResult.Done(0, watch.Elapsed);
        }

        try
        {
            var set = await client.SendPayloadAsync($"set ssl cert {name}", certificate.Payload, cancellationToken);
            sent++;
            if (!set.Trim().StartsWith($"Transaction ", StringComparison.Ordinal) || set.Contains("Can't", StringComparison.Ordinal))
            {
                return await AbortedAsync($"set ssl cert {name}", set, sent, watch, cancellationToken);
            }

            var commit = await client.SendAsync($"commit ssl cert {name}", cancellationToken);
            sent++;
            if (!commit.Trim().EndsWith("Success!", StringComparison.Ordinal) || commit.Contains("Can't", StringComparison.Ordinal))
            {
                return await AbortedAsync($"commit ssl cert {name}", commit, sent, watch, cancellationToken);
            }

            var mismatch = Mismatch(await client.SendAsync($"show ssl cert {name}", cancellationToken), certificate);
            return mismatch is null ? RuntimeApplyResult.Done(sent, watch.Elapsed) : RuntimeApplyResult.FellBack(RuntimeFallback.Mismatch, mismatch, sent, watch.Elapsed);
        }
        catch (HaproxySocketException e)
        {
            return RuntimeApplyResult.FellBack(RuntimeFallback.Socket, e.Message, sent, watch.Elapsed);
        }
    }

    public async Task<string?> CompareAsync(string file, CancellationToken cancellationToken)
    {
        var certificate = HaproxyCertificateChange.Of(file, name);
        if (certificate.Refusal is not null)
        {
            return null; // nothing to compare the running one with: the reload was the only way for this file
        }

        return Mismatch(await client.SendAsync($"show ssl cert {name}", cancellationToken), certificate);
    }

    /// <summary><c>show ssl cert</c> answers "Serial: …" and "SHA1 FingerPrint: …" lines; null when they are the file's.</summary>
    private string? Mismatch(string answer, HaproxyCertificateChange expected)
    {
        var fields = answer.Split('\n')
            .Select(line => line.Split(": ", 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.Ordinal);
        if (!fields.TryGetValue("SHA1 FingerPrint", out var fingerprint) || !fields.TryGetValue("Serial", out var serial))
        {
            return $"show ssl cert {name} answered {HaproxyAnswer.FirstLine(answer)}";
        }

        return string.Equals(fingerprint, expected.Fingerprint, StringComparison.OrdinalIgnoreCase) && HaproxyCertificateChange.Normalized(serial) == expected.Serial
            ? null
            : $"certificate {name} runs with serial {HaproxyCliWord.Printable(serial)} (SHA-1 {HaproxyCliWord.Printable(fingerprint)}), the file's has serial {expected.Serial} (SHA-1 {expected.Fingerprint})";
    }

    private async Task<RuntimeApplyResult> AbortedAsync(string command, string answer, int sent, Stopwatch watch, CancellationToken cancellationToken)
    {
        try
        {
            await client.SendAsync($"abort ssl cert {name}", cancellationToken);
        }
        catch (HaproxySocketException)
        {
            // best effort: a transaction left open is replaced by the next 'set ssl cert'
        }

        return RuntimeApplyResult.FellBack(RuntimeFallback.Refused, $"HAProxy refused '{command}': {HaproxyAnswer.Whole(answer)}", sent, watch.Elapsed);
    }
}
