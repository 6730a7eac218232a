using Reconciler.Actors.Applying;
using Reconciler.Actors.Runtime;
using Reconciler.Actors.State;
using Reconciler.Host.Metrics;

namespace Reconciler.Tests.Runtime;

public sealed class RuntimeMetricsTests
{
    [Fact]
    public async Task Runtime_applies_and_fallbacks_by_reason_are_counted()
    {
        var metrics = new ReconcilerMetrics(["haproxy"]);
        var written = new ReconcileOutcome("haproxy", "/etc/haproxy/haproxy.cfg", 7, StateChange.None, ReconcileStatus.Written, 100, TimeSpan.Zero, null, null);

        metrics.Observe(new TemplateReconciled(written, null) { Runtime = RuntimeApplyResult.Done(3, TimeSpan.FromMilliseconds(2)) });
        metrics.Observe(new TemplateReconciled(written, null) { Runtime = RuntimeApplyResult.Done(2, TimeSpan.FromMilliseconds(2)) });
        metrics.Observe(new TemplateReconciled(written, null) { Runtime = RuntimeApplyResult.FellBack(RuntimeFallback.Socket, "socket /run/haproxy/admin.sock unavailable") });

        var text = await ExportAsync(metrics);
        Assert.Contains("reconciler_runtime_applies_total{template=\"haproxy\"} 2", text);
        Assert.Contains("reconciler_runtime_fallbacks_total{template=\"haproxy\",reason=\"socket\"} 1", text);
    }

    private static async Task<string> ExportAsync(ReconcilerMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
