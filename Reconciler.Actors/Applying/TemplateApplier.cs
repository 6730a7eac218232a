using System.Diagnostics;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Quarantine;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Applying;

/// <summary>
/// The one apply path of one template, the same for the daemon, <c>--onetime</c> and <c>--noop</c>: render →
/// compare with dest → stage → check → replace → runtime change or reload (in the reloader's turn, once for a
/// batch) → read-back → rollback when configured → the owed reload paid → one log line. One apply of a dest runs
/// at a time (its renderer applies one request at a time, and its successor waits until it stopped), so an applier
/// is only ever used by one apply at a time.
/// </summary>
public sealed class TemplateApplier
{
    private readonly TemplateRender _render;
    private readonly DestFile _dest;
    private readonly ApplyServices _services;
    private readonly OwedReload _owed;
    private readonly bool _keepDiffs;
    private readonly QuarantineSteps _write;
    private readonly ServiceSteps _service;
    private readonly SlotKeeper _slots;
    private readonly ApplyRecorder _recorder;

    /// <param name="keepDiffs">Debug logging: each outcome that changes or would change dest carries the unified diff (unless log-diff is off).</param>
    public TemplateApplier(TemplateDefinition definition, CompiledTemplate template, ApplyServices services, bool keepDiffs = false)
    {
        Definition = definition;
        _render = new TemplateRender(definition, template);
        _dest = new DestFile(definition);
        _services = services;
        _owed = services.OwedReloadFor(definition.Dest);
        _keepDiffs = keepDiffs;
        var runtime = definition.Runtime.IsOn ? new RuntimeApply(definition, services.RuntimeApis?.Invoke(definition)) : null;
        var quarantine = new KeyQuarantine();
        var file = new FileSteps(definition, _render, _dest, services, _owed, runtime, quarantine, Progress, keepDiffs);
        _write = new QuarantineSteps(definition, template, quarantine, file);
        _service = new ServiceSteps(definition, _dest, services, _owed, runtime, Progress);
        _slots = new SlotKeeper(definition.Name, template.Slots, services.StateDir.Length > 0 ? SlotState.For(services.StateDir, definition.Dest) : null);
        _recorder = new ApplyRecorder(definition, services.Journal);
    }

    public TemplateDefinition Definition { get; }

    /// <summary>Where the current apply is, for the watchdog.</summary>
    public ApplyProgress Progress { get; } = new();

    /// <summary>The template text it was built from, to tell on a configuration reload whether it changed.</summary>
    public string SourceText => _render.Template.SourceText;

    /// <summary>A file of this dest was written and its service not brought to it, by this process or one before it.</summary>
    public bool ReloadOwed => _owed.IsOwed;

    private string Name => Definition.Name;

    /// <summary>Parses every template of the configuration (a broken one throws <see cref="TemplateException"/>).</summary>
    public static IReadOnlyList<TemplateApplier> CreateAll(ReconcilerSettings settings, ApplyServices services, bool keepDiffs = false)
    {
        var dns = new DnsLookup(settings.DnsServers);
        return [.. settings.Templates.Select(t => new TemplateApplier(t, TemplateLoader.Load(t.Src, t.Syntax, t.KeyPrefix, dns), services, keepDiffs))];
    }

    /// <summary>
    /// True when this applier was built from the same definition, template text, diff logging and DNS servers as
    /// <paramref name="other"/>: a configuration reload keeps it and its renderer.
    /// </summary>
    public bool IsSameAs(TemplateApplier other) =>
        Definition.IsSameAs(other.Definition)
        && SourceText == other.SourceText
        && _keepDiffs == other._keepDiffs
        && _render.Template.Dns.IsSameAs(other._render.Template.Dns);

    /// <summary>Deletes staged files a killed run left next to dest; returns how many.</summary>
    public int RemoveLeftovers() => _dest.RemoveLeftovers();

    /// <summary>What the template would write for <paramref name="state"/>, for <c>render</c>; <paramref name="skipped"/> the keys it left out.</summary>
    /// <exception cref="TemplateException">The render failed or was held back.</exception>
    public string Render(DesiredState state, CancellationToken cancellationToken, out IReadOnlyCollection<SkippedKey> skipped)
    {
        _slots.RestoreOnce(); // as the daemon would place each instance
        var rendered = _render.Render(state, _dest.Rendered, cancellationToken);
        skipped = rendered.Skipped;
        return rendered.Rendered ? _dest.Rendered.ToString() : throw new TemplateException(rendered.HeldBack ? $"held back by {rendered.Error}" : rendered.Error!);
    }

    /// <summary>Brings dest and its service to <paramref name="request"/>'s state and writes the reconcile line to <paramref name="logger"/> (not for a dry run).</summary>
    /// <param name="cancellationToken">Shutdown: a running check is killed and its staged file removed.</param>
    public Task<TemplateReconciled> ApplyAsync(ApplyRequest request, ILogger logger, CancellationToken cancellationToken)
    {
        // the render itself is CPU work (a 100,000-key template takes tens of ms): never on the caller's (a mailbox's) thread
        var apply = Task.Run(() => ApplyExclusiveAsync(request, logger, cancellationToken), CancellationToken.None);
        _services.InFlight.Track(apply);
        return apply;
    }

    private async Task<TemplateReconciled> ApplyExclusiveAsync(ApplyRequest request, ILogger logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        try
        {
            _slots.RestoreOnce();
            var wasOwed = _owed.IsOwed;
            var outcome = await _write.WriteAsync(request, cancellationToken);
            var dryRun = request.DryRunFolder is not null;
            if (!dryRun)
            {
                _slots.Keep(outcome, logger); // with the file, before its reload: a kill in between must not lose them
            }

            var reconciled = await _service.BringToFileAsync(outcome, wasOwed, request, logger, cancellationToken);
            reconciled = reconciled with { Total = started.Elapsed };
            if (!dryRun)
            {
                _recorder.Record(reconciled, request, logger);
            }

            return reconciled;
        }
        finally
        {
            if (request.Batch is { } batch)
            {
                request.Reloader.Tell(new BatchArrived(batch, Name)); // whether it joined the batch's reload or not, the others need not wait for it
            }

            Progress.Enter("idle", null);
        }
    }
}
