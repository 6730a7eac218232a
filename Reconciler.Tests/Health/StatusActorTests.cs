using Akka.Actor;
using Reconciler.Actors.Health;
using Reconciler.Actors.Output;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.State;

namespace Reconciler.Tests.Health;

public sealed class StatusActorTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly IActorRef _status;

    public StatusActorTests()
    {
        _status = Sys.ActorOf(StatusActor.Props("etcd test", ["a", "b"]));
        Sys.EventStream.Subscribe(_status, StatusActor.Topics);
    }

    [Fact]
    public async Task Healthy_only_once_the_backend_answered_and_every_template_reconciled()
    {
        Assert.False((await StatusAsync()).Healthy);
        Assert.All((await StatusAsync()).Templates.Values, t => Assert.Equal(TemplateState.Pending, t.State));

        Publish(new BackendStatusChanged("etcd test", true, null));
        Publish(Reconciled("a", ReconcileStatus.Written, Ok()));
        Assert.False((await StatusAsync()).Healthy);

        Publish(Reconciled("b", ReconcileStatus.Unchanged, reload: null));
        var status = await StatusAsync();
        Assert.True(status.Healthy);
        Assert.Equal(7, status.Templates["a"].Revision);
        Assert.NotNull(status.Templates["b"].LastSuccess);
    }

    [Fact]
    public async Task A_failed_reload_stays_unhealthy_through_unchanged_renders_until_a_reload_succeeds()
    {
        Publish(new BackendStatusChanged("etcd test", true, null));
        Publish(Reconciled("b", ReconcileStatus.Unchanged, reload: null));

        Publish(Reconciled("a", ReconcileStatus.Written, new CommandResult(1, "haproxy: bad", TimeSpan.Zero, false)));
        Assert.Equal(TemplateState.ReloadFailed, (await StatusAsync()).Templates["a"].State);
        Assert.Contains("exit 1", (await StatusAsync()).Templates["a"].LastError);

        // dest already holds the new file, so nothing reloads: the service still runs the old one
        Publish(Reconciled("a", ReconcileStatus.Unchanged, reload: null));
        Assert.Equal(TemplateState.ReloadFailed, (await StatusAsync()).Templates["a"].State);
        Assert.False((await StatusAsync()).Healthy);

        Publish(Reconciled("a", ReconcileStatus.Written, Ok()));
        Assert.Equal(TemplateState.Ok, (await StatusAsync()).Templates["a"].State);
        Assert.Null((await StatusAsync()).Templates["a"].LastError);
        Assert.True((await StatusAsync()).Healthy);
    }

    [Fact]
    public async Task A_check_failure_is_reported_with_its_error()
    {
        Publish(Reconciled("a", ReconcileStatus.CheckFailed, reload: null, error: "exit 1: [ALERT] parsing"));

        var a = (await StatusAsync()).Templates["a"];
        Assert.Equal(TemplateState.CheckFailed, a.State);
        Assert.Equal("exit 1: [ALERT] parsing", a.LastError);
        Assert.Null(a.LastSuccess);
    }

    [Fact]
    public async Task A_render_held_back_by_the_shrink_guard_is_unhealthy_until_a_render_goes_through()
    {
        Publish(new BackendStatusChanged("etcd test", true, null));
        Publish(Reconciled("a", ReconcileStatus.Written, Ok()));
        Publish(Reconciled("b", ReconcileStatus.Unchanged, reload: null));
        var success = (await StatusAsync()).Templates["a"].LastSuccess;

        Publish(Reconciled("a", ReconcileStatus.HeldBack, reload: null, error: "the shrink guard: keys dropped from 10 to 2 (80%), more than max-shrink-percent = 50"));

        var held = await StatusAsync();
        Assert.False(held.Healthy);
        Assert.Equal(TemplateState.HeldBack, held.Templates["a"].State);
        Assert.Equal("held back by the shrink guard: keys dropped from 10 to 2 (80%), more than max-shrink-percent = 50", held.Templates["a"].LastError);
        Assert.Equal(success, held.Templates["a"].LastSuccess);

        Publish(Reconciled("a", ReconcileStatus.Written, Ok()));
        Assert.True((await StatusAsync()).Healthy);
    }

    [Fact]
    public void An_unreachable_backend_is_unhealthy_and_changes_are_published()
    {
        var listener = CreateTestProbe();
        Sys.EventStream.Subscribe(listener.Ref, typeof(PipelineStatus));
        Publish(new BackendStatusChanged("etcd test", true, null));
        Publish(Reconciled("a", ReconcileStatus.Unchanged, reload: null));
        Publish(Reconciled("b", ReconcileStatus.Unchanged, reload: null));
        listener.FishForMessage<PipelineStatus>(s => s.Healthy);

        Publish(new BackendStatusChanged("etcd test", false, "connection refused"));

        var published = listener.FishForMessage<PipelineStatus>(s => !s.Backend.Reachable);
        Assert.False(published.Healthy);
        Assert.Equal("connection refused", published.Backend.LastError);
    }

    [Fact]
    public async Task The_revision_follows_the_state()
    {
        Publish(new StateAdvanced(42, 3, 10));

        var status = await StatusAsync();
        Assert.Equal(42, status.Revision);
        Assert.NotNull(status.RevisionTime);
    }

    private static CommandResult Ok() => new(0, string.Empty, TimeSpan.FromMilliseconds(3), false);

    private static TemplateReconciled Reconciled(string template, ReconcileStatus status, CommandResult? reload, string? error = null) =>
        new(new ReconcileOutcome(template, $"/tmp/{template}", 7, StateChange.None, status, 10, TimeSpan.Zero, null, error), reload);

    private void Publish(object message) => Sys.EventStream.Publish(message);

    /// <summary>Asks after the publications: the status actor handles its mailbox in order.</summary>
    private Task<PipelineStatus> StatusAsync() => _status.Ask<PipelineStatus>(GetPipelineStatus.Instance, TimeSpan.FromSeconds(3));
}
