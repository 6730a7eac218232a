using System.Diagnostics;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Output;
using Reconciler.Actors.Rendering;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// Keeps one template's dest in sync: reconciles each snapshot it is handed (render, compare,
/// check, replace) off the mailbox thread, asks the reloader to reload when the file changed,
/// and writes the reconcile log line. Snapshots arriving meanwhile collapse into the latest.
/// </summary>
public sealed class RendererActor : ReceiveActor
{
    private readonly TemplateReconciler _reconciler;
    private readonly IActorRef _reloader;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _shutdown = new();
    private RenderRequested? _next;
    private ReconcileOutcome? _outcome;
    private Stopwatch _started = new();

    public RendererActor(TemplateReconciler reconciler, IActorRef reloader, ILogger logger)
    {
        _reconciler = reconciler;
        _reloader = reloader;
        _logger = logger;
        Idle();
    }

    public static Props Props(TemplateReconciler reconciler, IActorRef reloader, ILogger logger) =>
        Akka.Actor.Props.Create(() => new RendererActor(reconciler, reloader, logger));

    protected override void PostStop()
    {
        // abandons an in-flight check command (its process group is killed)
        _shutdown.Cancel();
        _shutdown.Dispose();
    }

    private void Idle() => Receive<RenderRequested>(Start);

    private void Busy()
    {
        Receive<RenderRequested>(request =>
            _next = _next is null ? request : request with { Change = _next.Change.Then(request.Change) });
        Receive<ReconcileOutcome>(OnReconciled);
        Receive<ReloadCompleted>(completed => Finish(completed.Result));
        Receive<Status.Failure>(failure => throw new InvalidOperationException($"reconcile of {_reconciler.Definition.Name} failed", failure.Cause));
    }

    private void Start(RenderRequested request)
    {
        _started = Stopwatch.StartNew();
        _reconciler.ReconcileAsync(request.State, request.Change, _shutdown.Token).PipeTo(Self);
        Become(Busy);
    }

    private void OnReconciled(ReconcileOutcome outcome)
    {
        _outcome = outcome;
        var reloadCommand = _reconciler.Definition.ReloadCommand;
        if (outcome.NeedsReload && reloadCommand.Length > 0)
        {
            _reloader.Tell(new ReloadRequested(outcome.Template, reloadCommand));
        }
        else
        {
            Finish(null);
        }
    }

    private void Finish(CommandResult? reload)
    {
        var outcome = _outcome!;
        ReconcileLog.Write(_logger, outcome, reload, _started.Elapsed);
        var reconciled = new TemplateReconciled(outcome, reload);
        Context.Parent.Tell(reconciled);
        Context.System.EventStream.Publish(reconciled);
        _outcome = null;
        if (_next is { } next)
        {
            _next = null;
            Start(next);
        }
        else
        {
            Become(Idle);
        }
    }
}
