using System.Collections.Immutable;
using Akka.Actor;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Pipeline;

namespace Reconciler.Actors.Health;

/// <summary>
/// Folds the pipeline's event-stream publications into one <see cref="PipelineStatus"/>: answers
/// <see cref="GetPipelineStatus"/> (health endpoint, watchdog) and republishes the status on the
/// event stream whenever it changes (systemd notifications, metrics).
/// </summary>
public sealed class StatusActor : ReceiveActor
{
    private PipelineStatus _status;

    public StatusActor(string backend, IEnumerable<string> templates)
    {
        _status = new PipelineStatus(
            new BackendHealth(backend, Reachable: false, LastError: "not connected yet", Since: Now),
            Revision: 0,
            RevisionTime: null,
            templates.ToImmutableSortedDictionary(name => name, TemplateHealth.Pending, StringComparer.Ordinal));

        Receive<GetPipelineStatus>(_ => Sender.Tell(_status));
        Receive<TemplateReconciled>(OnReconciled);
        Receive<BackendStatusChanged>(OnBackendStatus);
        Receive<StateAdvanced>(OnStateAdvanced);
        Receive<TemplatesConfigured>(OnTemplatesConfigured);
        Receive<FleetHealth>(fleet => Update(_status with { Fleet = fleet }));
        Receive<KeysRefused>(refused => Update(_status with { RefusedKeys = _status.RefusedKeys + refused.KeyBytes + refused.ValueBytes + refused.PrefixBytes }));
    }

    private static DateTimeOffset Now => Context.System.Scheduler.Now;

    /// <summary>
    /// What it listens to on the event stream. Whoever starts it subscribes it (an actor's own
    /// PreStart runs later, asynchronously) before starting the pipeline, so it misses nothing.
    /// </summary>
    public static IReadOnlyList<Type> Topics { get; } = [typeof(TemplateReconciled), typeof(BackendStatusChanged), typeof(StateAdvanced), typeof(TemplatesConfigured), typeof(KeysRefused), typeof(FleetHealth)];

    public static Props Props(string backend, IEnumerable<string> templates) =>
        Akka.Actor.Props.Create(() => new StatusActor(backend, templates));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void OnReconciled(TemplateReconciled reconciled)
    {
        var name = reconciled.Outcome.Template;
        var health = _status.Templates.GetValueOrDefault(name) ?? TemplateHealth.Pending(name);
        Update(_status with { Templates = _status.Templates.SetItem(name, health.After(reconciled, Now)) });
    }

    private void OnBackendStatus(BackendStatusChanged changed)
    {
        var backend = _status.Backend;
        var since = backend.Reachable == changed.Reachable ? backend.Since : Now;
        Update(_status with { Backend = new BackendHealth(changed.Backend, changed.Reachable, changed.Reason, since, changed.NoLeader) });
    }

    /// <summary>A configuration reload added or removed templates: new ones start pending, removed ones are forgotten.</summary>
    private void OnTemplatesConfigured(TemplatesConfigured configured) =>
        Update(_status with
        {
            Templates = configured.Names.ToImmutableSortedDictionary(
                name => name,
                name => _status.Templates.GetValueOrDefault(name) ?? TemplateHealth.Pending(name),
                StringComparer.Ordinal),
        });

    private void OnStateAdvanced(StateAdvanced advanced) =>
        Update(_status with { Revision = advanced.Revision, RevisionTime = Now });

    private void Update(PipelineStatus status)
    {
        if (status == _status)
        {
            return;
        }

        _status = status;
        Context.System.EventStream.Publish(status);
    }
}
