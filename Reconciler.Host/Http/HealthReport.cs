using Reconciler.Actors.Health;

namespace Reconciler.Host.Http;

/// <summary>The JSON body of <c>/healthz</c>: overall verdict, backend, and per template its state and how stale it is.</summary>
internal sealed record HealthReport(
    string Status,
    HealthReport.BackendReport Backend,
    long Revision,
    DateTimeOffset? RevisionTime,
    IReadOnlyDictionary<string, HealthReport.TemplateReport> Templates)
{
    /// <param name="details">Whether lastError's text is shown (reconciler.http.details): a failed check's output may quote a secret.</param>
    public static HealthReport From(PipelineStatus status, DateTimeOffset now, bool details = true) => new(
        Verdict(status),
        new BackendReport(status.Backend.Description, status.Backend.Reachable, details ? status.Backend.LastError : null, status.Backend.Since, status.RefusedKeys),
        status.Revision,
        status.RevisionTime,
        status.Templates.ToDictionary(t => t.Key, t => TemplateReport.From(t.Value, now, details)))
    {
        Fleet = status.Fleet is { } fleet ? new FleetReport(fleet.Working, fleet.Lease == 0 ? null : fleet.Lease.ToString("x", System.Globalization.CultureInfo.InvariantCulture), details ? fleet.Error : null, fleet.Since) : null,
    };

    /// <summary>Whether this node's fleet records are published (reconciler.fleet); absent with fleet off. Not part of the verdict: the files are served either way.</summary>
    public FleetReport? Fleet { get; init; }

    /// <param name="Publishing">True while the records are put and their lease renewed.</param>
    /// <param name="Lease">The lease, in hex as etcdctl shows it; null before the first.</param>
    public sealed record FleetReport(bool Publishing, string? Lease, string? LastError, DateTimeOffset Since);

    /// <summary>A quarantined key: its name (cut, escaped) and the checker's line.</summary>
    public sealed record QuarantinedReport(string Key, string? Reason);

    /// <param name="RefusedKeys">Refusals since start over reconciler.backend's limits, a full re-read's again (reconciler_refused_keys_total, all reasons).</param>
    public sealed record BackendReport(string Description, bool Reachable, string? LastError, DateTimeOffset Since, long RefusedKeys);

    /// <summary>A cluster without a leader is degraded rather than down: the file cannot lag a store that cannot change.</summary>
    private static string Verdict(PipelineStatus status) =>
        status.Healthy ? "healthy" : status.Backend.NoLeader && status.Templates.Values.All(t => t.Healthy) ? "degraded" : "unhealthy";

    public sealed record TemplateReport(
        string State,
        long Revision,
        DateTimeOffset? LastReconcile,
        DateTimeOffset? LastSuccess,
        double? SecondsSinceSuccess,
        string? LastError,
        LastApply? LastApply)
    {
        /// <summary>Keys held out of the file because a check refused their change; the reason only with details on.</summary>
        public IReadOnlyList<QuarantinedReport> Quarantined { get; init; } = [];

        /// <param name="details">Whether lastError's and lastApply.why's text is shown (reconciler.http.details).</param>
        public static TemplateReport From(TemplateHealth health, DateTimeOffset now, bool details = true) => new(
            Kebab(health.State),
            health.Revision,
            health.LastReconcile,
            health.LastSuccess,
            health.LastSuccess is { } success ? Math.Round((now - success).TotalSeconds, 3) : null,
            details ? health.LastError : null,
            details ? health.LastApply : health.LastApply is { } apply ? apply with { Why = null } : null)
        {
            Quarantined = [.. health.Quarantined.Select(q => new QuarantinedReport(q.PrintableKey, details ? q.Reason : null))],
        };

        /// <summary>ReloadFailed → reload-failed.</summary>
        private static string Kebab(TemplateState state) =>
            string.Concat(state.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? $"-{char.ToLowerInvariant(c)}" : $"{char.ToLowerInvariant(c)}"));
    }
}
