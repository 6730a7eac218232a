using Prometheus;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Fleet;
using Reconciler.Actors.Health;
using Reconciler.Actors.Pipeline;

namespace Reconciler.Host.Metrics;

/// <summary>
/// The daemon's Prometheus metrics, in a registry of its own (no default process collectors and
/// their event listeners). Per-template series exist from the start, at zero, so rates work from
/// the first failure on.
/// </summary>
internal sealed class ReconcilerMetrics
{
    private static readonly string[] TemplateLabel = ["template"];

    // ReloadReason.Label, one per ReloadCause: a small fixed set, so a label never carries free text
    private static readonly string[] ReloadReasons = ["changed", "beyond-runtime", "fallback", "owed"];

    private static readonly string[] RefusalReasons = ["max-key-bytes", "max-value-bytes", "max-prefix-bytes"];

    private readonly Counter _renders;
    private readonly Counter _renderFailures;
    private readonly Counter _checks;
    private readonly Counter _checkFailures;
    private readonly Counter _writes;
    private readonly Counter _writeFailures;
    private readonly Counter _reloads;
    private readonly Counter _reloadFailures;
    private readonly Counter _runtimeApplies;
    private readonly Counter _runtimeFallbacks;
    private readonly Counter _heldBack;
    private readonly Gauge _skippedKeys;
    private readonly Gauge _quarantinedKeys;
    private readonly Histogram _renderDuration;
    private readonly Histogram _checkDuration;
    private readonly Histogram _reloadDuration;
    private readonly Histogram _templatesPerReload;
    private readonly Queue<long> _countedRuns = new();
    private readonly Gauge _templateHealthy;
    private readonly Gauge _revision;
    private readonly Gauge _keys;
    private readonly Counter _eventsApplied;
    private readonly Gauge _backendUp;
    private readonly Counter _watchReconnects;
    private readonly Counter _refusedKeys;
    private readonly Gauge _appliedRevision;
    private readonly Gauge? _fleetPublishing;

    /// <param name="fleet">Whether reconciler.fleet is on: only then is there a lease to report.</param>
    public ReconcilerMetrics(IEnumerable<string> templates, bool fleet = false)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _renders = PerTemplate(factory, "reconciler_renders_total", "Template renders (every reconcile renders)");
        _renderFailures = PerTemplate(factory, "reconciler_render_failures_total", "Renders that failed (template error, missing key)");
        _checks = PerTemplate(factory, "reconciler_checks_total", "check-cmd runs");
        _checkFailures = PerTemplate(factory, "reconciler_check_failures_total", "check-cmd runs that rejected the new file");
        _writes = PerTemplate(factory, "reconciler_writes_total", "Times dest was replaced with a new file");
        _writeFailures = PerTemplate(factory, "reconciler_write_failures_total", "Failures to stage or replace dest");
        _reloads = factory.CreateCounter(
            "reconciler_reloads_total",
            "reload-cmd runs, by reason: changed (no runtime API), beyond-runtime (a change it does not cover), fallback (one it could not apply), owed (an earlier run's)",
            ["template", "reason"]);
        _reloadFailures = PerTemplate(factory, "reconciler_reload_failures_total", "reload-cmd runs that failed or timed out");
        _runtimeApplies = PerTemplate(factory, "reconciler_runtime_applies_total", "Changes applied through the runtime API (admin socket) instead of a reload");
        _runtimeFallbacks = factory.CreateCounter(
            "reconciler_runtime_fallbacks_total",
            "Runtime API changes that fell back to a reload, by reason: unsupported, refused, socket, mismatch, drain-timeout",
            ["template", "reason"]);
        _heldBack = PerTemplate(factory, "reconciler_held_back_total", "Renders a guard held back (shrink guard, max-keys, max-value-bytes); dest kept");
        _quarantinedKeys = factory.CreateGauge("reconciler_quarantined_keys", "Keys the template's file is applied without because a check refused their change (quarantine), until they change again", TemplateLabel);
        _skippedKeys = factory.CreateGauge("reconciler_skipped_keys", "Keys the template's last render left out (a control character, a registration that does not parse)", TemplateLabel);
        _renderDuration = Durations(factory, "reconciler_render_duration_seconds", "Time to render a template", Histogram.ExponentialBuckets(0.0001, 4, 10));
        _checkDuration = Durations(factory, "reconciler_check_duration_seconds", "Time check-cmd took", Histogram.ExponentialBuckets(0.001, 4, 9));
        _reloadDuration = Durations(factory, "reconciler_reload_duration_seconds", "Time reload-cmd took", Histogram.ExponentialBuckets(0.001, 4, 9));
        _templatesPerReload = factory.CreateHistogram(
            "reconciler_templates_per_reload",
            "Templates one run of a reload command served (templates sharing a reload-cmd changed together reload once)",
            new HistogramConfiguration { Buckets = [1, 2, 3, 5, 10, 20] });
        _templateHealthy = factory.CreateGauge("reconciler_template_healthy", "1 when the template's last render, check, write and reload succeeded (a held-back render is 0)", TemplateLabel);
        _revision = factory.CreateGauge("reconciler_revision", "Last backend revision applied to the desired state");
        _keys = factory.CreateGauge("reconciler_keys", "Keys in the desired state");
        _eventsApplied = factory.CreateCounter("reconciler_events_applied_total", "Key changes (put, delete) folded into the desired state");
        _backendUp = factory.CreateGauge("reconciler_backend_up", "1 while the backend is reachable");
        _watchReconnects = factory.CreateCounter("reconciler_watch_reconnects_total", "Times the watch came back after the backend was unreachable");
        _refusedKeys = factory.CreateCounter(
            "reconciler_refused_keys_total",
            "Puts the daemon did not store, by the limit passed: max-key-bytes, max-value-bytes, max-prefix-bytes (reconciler.backend)",
            ["reason"]);
        _appliedRevision = factory.CreateGauge(
            "reconciler_applied_revision",
            "The etcd revision the file in place was rendered from (after a failed apply, the older file's; 0 = not known yet), as the fleet record says",
            TemplateLabel);
        _fleetPublishing = fleet
            ? factory.CreateGauge("reconciler_fleet_publishing", "1 while this node's fleet records are put and their lease renewed (reconciler.fleet); 0 while etcd does not answer or refuses")
            : null;
        foreach (var reason in RefusalReasons)
        {
            _refusedKeys.WithLabels(reason);
        }

        foreach (var template in templates)
        {
            foreach (var counter in new[] { _renders, _renderFailures, _checks, _checkFailures, _writes, _writeFailures, _reloadFailures, _runtimeApplies, _heldBack })
            {
                counter.WithLabels(template);
            }

            foreach (var reason in ReloadReasons)
            {
                _reloads.WithLabels(template, reason);
            }

            _templateHealthy.WithLabels(template);
            _appliedRevision.WithLabels(template);
            _skippedKeys.WithLabels(template);
            _quarantinedKeys.WithLabels(template);
        }
    }

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public void Observe(TemplateReconciled reconciled)
    {
        var (outcome, reload) = (reconciled.Outcome, reconciled.Reload);
        var template = outcome.Template;
        _renders.WithLabels(template).Inc();
        _renderDuration.WithLabels(template).Observe(outcome.RenderTime.TotalSeconds);
        Count(_renderFailures, template, outcome.Status == ReconcileStatus.RenderFailed);
        Count(_writeFailures, template, outcome.Status == ReconcileStatus.WriteFailed);
        Count(_heldBack, template, outcome.Status == ReconcileStatus.HeldBack);
        Count(_writes, template, outcome.NeedsReload);
        _skippedKeys.WithLabels(template).Set(outcome.Skipped.Length);
        _quarantinedKeys.WithLabels(template).Set(outcome.Quarantined.Length);
        if (outcome.Check is { } check)
        {
            _checks.WithLabels(template).Inc();
            _checkDuration.WithLabels(template).Observe(check.Duration.TotalSeconds);
            Count(_checkFailures, template, !check.Succeeded);
        }

        if (reconciled.ReloadRun is { } run && !_countedRuns.Contains(run.Number))
        {
            // each template of a shared run reports it: counted once
            _countedRuns.Enqueue(run.Number);
            if (_countedRuns.Count > 64)
            {
                _countedRuns.Dequeue();
            }

            _templatesPerReload.Observe(run.Templates);
        }

        if (reload is not null)
        {
            _reloads.WithLabels(template, reconciled.ReloadReason?.Label ?? "changed").Inc();
            _reloadDuration.WithLabels(template).Observe(reload.Duration.TotalSeconds);
            Count(_reloadFailures, template, !reload.Succeeded);
        }

        if (reconciled.Runtime is { } runtime)
        {
            Count(_runtimeApplies, template, runtime.Applied);
            if (runtime.ReasonLabel is { } reason)
            {
                _runtimeFallbacks.WithLabels(template, reason).Inc();
            }
        }
    }

    public void Observe(StateAdvanced advanced)
    {
        _revision.Set(advanced.Revision);
        _keys.Set(advanced.KeyCount);
        _eventsApplied.Inc(advanced.EventsApplied);
    }

    public void Observe(PipelineStatus status)
    {
        foreach (var template in status.Templates.Values)
        {
            _templateHealthy.WithLabels(template.Name).Set(template.Healthy ? 1 : 0);
        }
    }

    public void Observe(TemplateApplied applied) => _appliedRevision.WithLabels(applied.Template).Set(applied.Revision);

    public void Observe(FleetHealth fleet) => _fleetPublishing?.Set(fleet.Working ? 1 : 0);

    public void Observe(KeysRefused refused)
    {
        _refusedKeys.WithLabels(RefusalReasons[0]).Inc(refused.KeyBytes);
        _refusedKeys.WithLabels(RefusalReasons[1]).Inc(refused.ValueBytes);
        _refusedKeys.WithLabels(RefusalReasons[2]).Inc(refused.PrefixBytes);
    }

    public void BackendReachable(bool reachable) => _backendUp.Set(reachable ? 1 : 0);

    public void WatchReconnected() => _watchReconnects.Inc();

    private static Counter PerTemplate(MetricFactory factory, string name, string help) =>
        factory.CreateCounter(name, help, TemplateLabel);

    private static Histogram Durations(MetricFactory factory, string name, string help, double[] buckets) =>
        factory.CreateHistogram(name, help, new HistogramConfiguration { LabelNames = TemplateLabel, Buckets = buckets });

    private static void Count(Counter counter, string template, bool happened)
    {
        if (happened)
        {
            counter.WithLabels(template).Inc();
        }
    }
}
