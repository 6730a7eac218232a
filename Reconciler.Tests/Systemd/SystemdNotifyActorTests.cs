using System.Globalization;
using System.Collections.Immutable;
using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Reconciler.Actors.Health;
using Reconciler.Actors.Pipeline;
using Reconciler.Host.Systemd;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Systemd;

/// <summary>The notify actor against a real datagram socket, with probes standing in for the pipeline and the status actor.</summary>
public sealed class SystemdNotifyActorTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly NotifySocket _socket = new();

    void IDisposable.Dispose()
    {
        _socket.Dispose();
        base.Dispose();
    }

    [Fact]
    public async Task Ready_waits_for_a_healthy_status()
    {
        var status = CreateTestProbe();
        using var notifier = new SystemdNotifier(_socket.Address, null, NullLogger.Instance);
        Sys.ActorOf(SystemdNotifyActor.Props(notifier, status.Ref, CreateTestProbe().Ref, NullLogger.Instance));
        status.ExpectMsg<GetPipelineStatus>();

        status.Reply(Status(healthy: false));
        var starting = await _socket.ExpectAsync(m => m.StartsWith("STATUS=", StringComparison.Ordinal), Timeout, "STATUS while starting");
        Assert.Contains("0/1 templates in sync", starting);

        Sys.EventStream.Publish(Status(healthy: true));
        var ready = await _socket.ExpectAsync(m => m.Contains("READY=1"), Timeout, "READY=1");
        Assert.Contains("STATUS=revision 12 applied", ready);
        Assert.Contains("1/1 templates in sync", ready);
    }

    [Fact]
    public async Task Not_ready_while_the_first_render_is_held_back_and_status_says_why()
    {
        var status = CreateTestProbe();
        using var notifier = new SystemdNotifier(_socket.Address, null, NullLogger.Instance);
        Sys.ActorOf(SystemdNotifyActor.Props(notifier, status.Ref, CreateTestProbe().Ref, NullLogger.Instance));
        status.ExpectMsg<GetPipelineStatus>();

        var pending = Status(healthy: false);
        var held = pending.Templates["t"] with { State = TemplateState.HeldBack, LastError = "held back by the shrink guard: 2 keys, fewer than min-entries = 5" };
        status.Reply(pending with { Templates = pending.Templates.SetItem("t", held) });

        var starting = await _socket.ExpectAsync(m => m.Contains("held back"), Timeout, "STATUS naming the held-back template");
        Assert.DoesNotContain("READY=1", starting);
        Assert.Contains("0/1 templates in sync, t: held back by the shrink guard: 2 keys, fewer than min-entries = 5", starting);
    }

    [Fact]
    public async Task Status_says_the_last_reload_and_why()
    {
        var status = CreateTestProbe();
        using var notifier = new SystemdNotifier(_socket.Address, null, NullLogger.Instance);
        Sys.ActorOf(SystemdNotifyActor.Props(notifier, status.Ref, CreateTestProbe().Ref, NullLogger.Instance));
        status.ExpectMsg<GetPipelineStatus>();
        var healthy = Status(healthy: true);
        var at = new DateTimeOffset(2026, 12, 3, 3, 12, 41, TimeSpan.Zero);
        var reloaded = healthy.Templates["t"] with { LastApply = new LastApply("reload", "section 'frontend stats' changed outside its server lines", at) };

        status.Reply(healthy with { Templates = healthy.Templates.SetItem("t", reloaded) });

        var ready = await _socket.ExpectAsync(m => m.Contains("READY=1"), Timeout, "READY=1");
        Assert.Contains("last reload t 03:12:41Z: section 'frontend stats' changed outside its server lines", ready);
    }

    [Fact]
    public async Task A_configuration_reload_is_reloading_with_the_monotonic_time_then_ready()
    {
        using var notifier = await StartReadyAsync();
        var before = MonotonicClock.Microseconds;

        Sys.EventStream.Publish(ConfigurationReloading.Instance);
        var reloading = await _socket.ExpectAsync(m => m.StartsWith("RELOADING=1", StringComparison.Ordinal), Timeout, "RELOADING=1");
        var after = MonotonicClock.Microseconds;
        Sys.EventStream.Publish(new ConfigurationReloaded(Succeeded: true));
        var ready = await _socket.ExpectAsync(m => m.Contains("READY=1"), Timeout, "READY=1 after the reload");

        var lines = reloading.Split('\n');
        Assert.Equal("RELOADING=1", lines[0]);
        var monotonic = long.Parse(Assert.Single(lines, l => l.StartsWith("MONOTONIC_USEC=", StringComparison.Ordinal))["MONOTONIC_USEC=".Length..], CultureInfo.InvariantCulture);
        Assert.InRange(monotonic, before, after);
        Assert.Contains("STATUS=configuration reloaded", ready);
    }

    [Fact]
    public async Task Watchdog_pings_only_follow_answers_from_the_whole_pipeline()
    {
        var status = CreateTestProbe();
        var pipeline = CreateTestProbe();
        using var notifier = new SystemdNotifier(_socket.Address, TimeSpan.FromMilliseconds(200), NullLogger.Instance);
        using var marker = new SystemdNotifier(_socket.Address, null, NullLogger.Instance);
        Sys.ActorOf(SystemdNotifyActor.Props(notifier, status.Ref, pipeline.Ref, NullLogger.Instance));

        var probe = pipeline.ExpectMsg<ProbePipeline>(Timeout); // left unanswered: the probe times out
        Assert.Equal(TimeSpan.FromMilliseconds(160), probe.Timeout); // the actors under the root get 80% of the interval
        pipeline.ExpectMsg<ProbePipeline>(Timeout);
        pipeline.Reply(new PipelineProbed(["renderer-haproxy-1"])); // the root answered, one renderer did not
        pipeline.ExpectMsg<ProbePipeline>(Timeout);
        // anything sent before the whole pipeline answered sits in the socket before this marker
        marker.Notify("MARK");
        pipeline.Reply(new PipelineProbed([]));

        await _socket.ExpectAsync(m => m == "WATCHDOG=1", Timeout, "WATCHDOG=1");
        Assert.Contains("MARK", _socket.Received);
    }

    [Fact]
    public async Task Abstract_socket_names_are_understood()
    {
        using var socket = new NotifySocket(abstractName: true);
        using var notifier = new SystemdNotifier(socket.Address, null, NullLogger.Instance);

        notifier.Notify("STATUS=hello");

        Assert.Equal("STATUS=hello", await socket.ExpectAsync(_ => true, Timeout, "a datagram"));
    }

    [Fact]
    public void Without_a_socket_notifications_are_no_ops()
    {
        using var notifier = new SystemdNotifier(null, null, NullLogger.Instance);

        notifier.Notify("READY=1");

        Assert.False(notifier.IsEnabled);
    }

    private async Task<SystemdNotifier> StartReadyAsync()
    {
        var status = CreateTestProbe();
        var notifier = new SystemdNotifier(_socket.Address, null, NullLogger.Instance);
        Sys.ActorOf(SystemdNotifyActor.Props(notifier, status.Ref, CreateTestProbe().Ref, NullLogger.Instance));
        status.ExpectMsg<GetPipelineStatus>();
        status.Reply(Status(healthy: true));
        await _socket.ExpectAsync(m => m.Contains("READY=1"), Timeout, "READY=1");
        return notifier;
    }

    private static PipelineStatus Status(bool healthy)
    {
        var now = DateTimeOffset.UtcNow;
        var template = new TemplateHealth("t", healthy ? TemplateState.Ok : TemplateState.Pending, 12, now, now, null, ReloadOwed: false);
        return new PipelineStatus(
            new BackendHealth("file keys.yaml", Reachable: true, LastError: null, now),
            12,
            now,
            ImmutableSortedDictionary<string, TemplateHealth>.Empty.Add("t", template));
    }
}
