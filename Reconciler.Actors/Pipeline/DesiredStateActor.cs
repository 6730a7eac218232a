using System.Collections.Immutable;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// The single owner of the desired state: folds the watcher's events into it, keeps the watch
/// cursor, and after each template's debounce window hands the (shared, immutable) snapshot to
/// the renderers whose keys changed. No template renders before the first full read. Templates handed
/// one snapshot together that share a reload command get one <see cref="ReloadBatch"/>, opened at the reloader: one reload for all of them.
/// </summary>
internal sealed class DesiredStateActor : ReceiveActor, IWithTimers
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private static readonly TimeSpan FlushTolerance = TimeSpan.FromMilliseconds(10);

    private readonly TimeSpan _batchPatience;
    private readonly IActorRef _reloader;
    private readonly KeyLimits _limits;
    private readonly RefusedKeyWarnings _refusedKeys = new();
    private readonly Dictionary<string, TemplateSchedule> _schedules;
    private StoreAdmission? _admission;
    private DesiredState _state = DesiredState.Empty;
    private ImmutableDictionary<KeyPrefix, long> _cursor = ImmutableDictionary<KeyPrefix, long>.Empty;

    public DesiredStateActor(
        IEnumerable<(TemplateDefinition Definition, IActorRef Renderer)> templates, TimeSpan batchPatience, ILogger logger, TimeProvider time, KeyLimits limits, IActorRef reloader)
    {
        _reloader = reloader;
        _logger = logger;
        _time = time;
        _batchPatience = batchPatience;
        _limits = limits;
        _schedules = templates.ToDictionary(
            t => t.Definition.Name,
            t => new TemplateSchedule(t.Definition, t.Renderer, DebounceWindow.Idle(t.Definition.Debounce)));

        Receive<GetWatchCursor>(_ => Sender.Tell(new WatchCursor(_cursor)));
        Receive<SnapshotLoaded>(OnSnapshot);
        Receive<KeysChanged>(OnKeysChanged);
        Receive<RenderDue>(due => OnRenderDue(due.Template));
        Receive<FlushPending>(_ => FlushDue(Now));
        Receive<ReplaceTemplates>(OnReplaceTemplates);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// A restart (a bug, by definition) lost the state; folding further events into an empty state
    /// would render from a partial view, so the root is asked to start over from a full read.
    /// </summary>
    protected override void PostRestart(Exception reason)
    {
        base.PostRestart(reason);
        Context.Parent.Tell(new DesiredStateLost(reason.Message));
    }

    /// <param name="batchPatience">The longest a batch's reload waits for a template of it that does not arrive (<see cref="ReloadBatch"/>).</param>
    /// <param name="time">The debounce's clock, read through its monotonic timestamp; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="limits">What the state stores at all (reconciler.backend's max-key-bytes, ...); none when null.</param>
    /// <param name="reloader">Told of each batch before its renderers are (<see cref="ReloaderActor"/>); nobody when null.</param>
    public static Props Props(
        IEnumerable<(TemplateDefinition Definition, IActorRef Renderer)> templates,
        TimeSpan batchPatience,
        ILogger logger,
        TimeProvider? time = null,
        KeyLimits? limits = null,
        IActorRef? reloader = null) =>
        Akka.Actor.Props.Create(() => new DesiredStateActor(templates, batchPatience, logger, time ?? TimeProvider.System, limits ?? KeyLimits.None, reloader ?? ActorRefs.Nobody));

    // monotonic: Scheduler.Now is the wall clock, which NTP or an operator may step backwards
    private TimeSpan Now => _time.GetElapsedTime(0);

    private void OnSnapshot(SnapshotLoaded loaded)
    {
        var first = _cursor.IsEmpty;
        var (state, change) = _state.Reloaded(loaded.Snapshot.Keys, loaded.Snapshot.Revision);
        _state = state;
        _admission ??= new StoreAdmission(_limits, KeyPrefixSet.Minimal(loaded.Prefixes));
        _admission.Reset(state);
        _refusedKeys.Keep(loaded.Snapshot.Refused);
        Refused(loaded.Snapshot.Refused);
        _cursor = loaded.Prefixes.ToImmutableDictionary(p => p, _ => loaded.Snapshot.Revision);
        Published(change);
        if (first)
        {
            // the first render waits for this complete view, and is never delayed
            foreach (var schedule in _schedules.Values)
            {
                schedule.Pending = change.Under(schedule.Definition.Keys);
            }

            Flush([.. _schedules.Values]);
        }
        else
        {
            OnChange(change);
        }
    }

    private void OnReplaceTemplates(ReplaceTemplates replace)
    {
        foreach (var name in _schedules.Keys.Where(name => !replace.Templates.Any(t => t.Definition.Name == name)).ToList())
        {
            Timers.Cancel(name);
            _schedules.Remove(name);
        }

        var renderNow = new List<TemplateSchedule>();
        foreach (var (definition, renderer) in replace.Templates)
        {
            if (!replace.Render.Contains(definition.Name))
            {
                continue;
            }

            Timers.Cancel(definition.Name);
            var schedule = new TemplateSchedule(definition, renderer, DebounceWindow.Idle(definition.Debounce));
            _schedules[definition.Name] = schedule;
            if (!_cursor.IsEmpty)
            {
                // a new or changed template renders at once from the current state, like a first render
                schedule.Pending = new StateChange([.. _state.Keys.Keys.Where(definition.Reads)], [], []);
                schedule.Trigger = ApplyTrigger.ConfigurationReloaded;
                renderNow.Add(schedule);
            }
        }

        Flush(renderNow);
    }

    private void OnKeysChanged(KeysChanged changed)
    {
        var batch = changed.Batch;
        var (events, refused) = _admission is { } admission ? admission.Admit(batch.Events, batch.Prefix, _state) : (batch.Events, new RefusalTally());
        _refusedKeys.Forget(events);
        Refused(refused);
        var (state, change) = _state.Apply(events, batch.Revision);
        _state = state;
        _cursor = _cursor.SetItem(batch.Prefix, Math.Max(_cursor.GetValueOrDefault(batch.Prefix), batch.Revision));
        Published(change);
        OnChange(change);
    }

    private void Refused(RefusalTally refused)
    {
        if (refused.Count > 0)
        {
            RefusedGarbage.Discarded(refused.DecodedBytes);
            _refusedKeys.Write(_logger, refused);
            Context.System.EventStream.Publish(new KeysRefused(
                refused.CountOf(RefusalReason.KeyBytes), refused.CountOf(RefusalReason.ValueBytes), refused.CountOf(RefusalReason.PrefixBytes)));
        }
    }

    private void Published(StateChange change) =>
        Context.System.EventStream.Publish(new StateAdvanced(_state.Revision, change.Added.Length + change.Changed.Length + change.Removed.Length, _state.Count));

    private void OnChange(StateChange change)
    {
        if (change.IsEmpty)
        {
            return;
        }

        _logger.LogDebug("Revision {Revision}: {Changes}", _state.Revision, change);
        var now = Now;
        foreach (var schedule in _schedules.Values)
        {
            var affecting = change.Under(schedule.Definition.Keys);
            if (!affecting.IsEmpty)
            {
                schedule.Pending = schedule.Pending.Then(affecting);
                schedule.Window = schedule.Window.Record(now);
            }
        }

        // not at once: the other watches' batches of the same transaction are likely in the mailbox already,
        // and flushed together their templates share one reload
        Self.Tell(FlushPending.Instance);
    }

    private void OnRenderDue(string template)
    {
        if (_schedules.TryGetValue(template, out var schedule) && schedule.Window.IsPending)
        {
            FlushDue(Now);
        }
    }

    /// <summary>
    /// Every template whose window has passed renders now, together; so does one due within <see cref="FlushTolerance"/>
    /// (the windows a transaction opened under several watched prefixes end microseconds apart). The others' timers are set.
    /// </summary>
    private void FlushDue(TimeSpan now)
    {
        var due = new List<TemplateSchedule>();
        foreach (var schedule in _schedules.Values.Where(s => s.Window.IsPending))
        {
            var delay = schedule.Window.DelayFrom(now);
            if (delay <= FlushTolerance)
            {
                Timers.Cancel(schedule.Definition.Name);
                due.Add(schedule);
            }
            else
            {
                Timers.StartSingleTimer(schedule.Definition.Name, new RenderDue(schedule.Definition.Name), delay);
            }
        }

        Flush(due);
    }

    /// <summary>Hands the state to <paramref name="schedules"/>; those sharing a reload command share one batch.</summary>
    private void Flush(IReadOnlyCollection<TemplateSchedule> schedules)
    {
        var batches = ReloadBatch.For(schedules.Select(s => s.Definition), _batchPatience);
        foreach (var batch in batches.Values.Distinct())
        {
            _reloader.Tell(new BatchOpened(batch)); // first: a renderer's arrival must find its batch open
        }

        foreach (var schedule in schedules)
        {
            schedule.Renderer.Tell(new RenderRequested(_state, schedule.Pending, batches.GetValueOrDefault(schedule.Definition.Name)) { Trigger = schedule.Trigger });
            schedule.Pending = StateChange.None;
            schedule.Trigger = ApplyTrigger.KeysChanged;
            schedule.Window = schedule.Window.Flushed();
        }
    }

    private sealed record RenderDue(string Template);

    private sealed record FlushPending
    {
        public static readonly FlushPending Instance = new();
    }

    /// <summary>Per template: what changed since its last render and its debounce window.</summary>
    private sealed class TemplateSchedule(TemplateDefinition definition, IActorRef renderer, DebounceWindow window)
    {
        public TemplateDefinition Definition { get; } = definition;

        public IActorRef Renderer { get; } = renderer;

        public DebounceWindow Window { get; set; } = window;

        public StateChange Pending { get; set; } = StateChange.None;

        /// <summary>What the next flush is for: keys changed, unless a configuration reload made it render afresh.</summary>
        public ApplyTrigger Trigger { get; set; } = ApplyTrigger.KeysChanged;
    }
}
