using Akka.Actor;
using Reconciler.Actors.Health;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Fleet;
using Reconciler.Actors.Pipeline;

namespace Reconciler.Host.Metrics;

/// <summary>Feeds <see cref="ReconcilerMetrics"/> from the pipeline's event-stream publications.</summary>
internal sealed class MetricsActor : ReceiveActor
{
    private readonly ReconcilerMetrics _metrics;
    private bool _backendLost;

    public MetricsActor(ReconcilerMetrics metrics)
    {
        _metrics = metrics;
        Receive<TemplateReconciled>(_metrics.Observe);
        Receive<StateAdvanced>(_metrics.Observe);
        Receive<PipelineStatus>(_metrics.Observe);
        Receive<BackendStatusChanged>(OnBackendStatus);
        Receive<KeysRefused>(_metrics.Observe);
        Receive<TemplateApplied>(_metrics.Observe);
        Receive<FleetHealth>(_metrics.Observe);
    }

    /// <summary>What it listens to; subscribe it before starting the pipeline (see <see cref="StatusActor.Topics"/>).</summary>
    public static IReadOnlyList<Type> Topics { get; } = [typeof(TemplateReconciled), typeof(StateAdvanced), typeof(BackendStatusChanged), typeof(PipelineStatus), typeof(KeysRefused), typeof(TemplateApplied), typeof(FleetHealth)];

    public static Props Props(ReconcilerMetrics metrics) => Akka.Actor.Props.Create(() => new MetricsActor(metrics));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void OnBackendStatus(BackendStatusChanged changed)
    {
        _metrics.BackendReachable(changed.Reachable);
        if (changed.Reachable && _backendLost)
        {
            _metrics.WatchReconnected();
        }

        _backendLost = !changed.Reachable;
    }
}
