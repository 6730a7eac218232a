using Reconciler.Actors.Applying;
using Reconciler.Actors.Display;
using Reconciler.Actors.Health;
using Reconciler.Actors.Quarantine;
using Reconciler.Actors.State;
using Reconciler.Host.Http;
using Reconciler.Host.Metrics;

namespace Reconciler.Tests.Health;

/// <summary>What /healthz and /metrics say of a template whose file was applied without quarantined keys.</summary>
public sealed class QuarantineHealthTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    private static TemplateReconciled Written(params QuarantinedKey[] quarantined) =>
        new(new ReconcileOutcome("haproxy", "/etc/haproxy/haproxy.cfg", 7, StateChange.None, ReconcileStatus.Written, 10, TimeSpan.Zero, null, null) { Quarantined = [.. quarantined] }, null);

    [Fact]
    public void A_template_applied_without_a_quarantined_key_is_healthy_and_names_it_with_the_checkers_reason()
    {
        var key = new QuarantinedKey("/apps/evil", "exit 1: [ALERT] could not resolve address 'does-not-exist.invalid'.");

        var health = TemplateHealth.Pending("haproxy").After(Written(key), Now);
        var report = HealthReport.TemplateReport.From(health, Now);

        Assert.True(health.Healthy);
        Assert.Equal([new HealthReport.QuarantinedReport("/apps/evil", key.Reason)], report.Quarantined);
        Assert.Contains("quarantined 1 key(s): /apps/evil (exit 1: [ALERT]", report.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_details_the_key_is_named_and_the_reason_left_out()
    {
        var health = TemplateHealth.Pending("haproxy").After(Written(new QuarantinedKey("/apps/evil", "exit 1: [ALERT] secret")), Now);

        var report = HealthReport.TemplateReport.From(health, Now, details: false);

        Assert.Equal([new HealthReport.QuarantinedReport("/apps/evil", null)], report.Quarantined);
    }

    [Fact]
    public void A_key_that_left_quarantine_leaves_the_report()
    {
        var health = TemplateHealth.Pending("haproxy").After(Written(new QuarantinedKey("/apps/evil", "refused")), Now).After(Written(), Now);

        Assert.Empty(HealthReport.TemplateReport.From(health, Now).Quarantined);
        Assert.Null(health.LastError);
    }

    [Fact]
    public async Task The_gauge_counts_the_keys_held_as_of_the_last_apply()
    {
        var metrics = new ReconcilerMetrics(["haproxy"]);

        metrics.Observe(Written(new QuarantinedKey("/apps/x", "refused"), new QuarantinedKey("/apps/y", "refused")));
        var two = await ExportAsync(metrics);
        metrics.Observe(Written());
        var none = await ExportAsync(metrics);

        Assert.Contains("reconciler_quarantined_keys{template=\"haproxy\"} 2", two, StringComparison.Ordinal);
        Assert.Contains("reconciler_quarantined_keys{template=\"haproxy\"} 0", none, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_key_name_is_cut_and_a_control_character_escaped()
    {
        var key = new QuarantinedKey("/apps/\u001b[2J" + new string('k', 100_000), "refused");

        Assert.StartsWith("/apps/\\x1b[2Jkkk", key.PrintableKey, StringComparison.Ordinal);
        Assert.EndsWith("k…(100010 bytes)", key.PrintableKey, StringComparison.Ordinal);
        Assert.True(key.PrintableKey.Length < PrintableText.MostShownChars + 30, key.PrintableKey);
    }

    private static async Task<string> ExportAsync(ReconcilerMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
