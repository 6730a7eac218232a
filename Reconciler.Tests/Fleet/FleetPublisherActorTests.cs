using System.Text.Json;
using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Fleet;
using Reconciler.Actors.Health;
using Reconciler.Actors.State;
using Reconciler.Tests.Registration;

namespace Reconciler.Tests.Fleet;

public sealed class FleetPublisherActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly FleetSettings Fleet = new(true, "lb-1", new KeyPrefix("/fleet"), TimeSpan.FromSeconds(3));
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly FakeLeaseClient _etcd = new();
    private readonly IActorRef _publisher;

    public FleetPublisherActorTests()
    {
        _publisher = Sys.ActorOf(FleetPublisherActor.Props(_etcd, Fleet, NullLogger.Instance));
        Sys.EventStream.Subscribe(_publisher, FleetPublisherActor.Topics);
    }

    [Fact]
    public void Each_template_record_goes_under_one_lease_at_its_key()
    {
        Publish(Applied("a", 5));
        Publish(Applied("b", 6));

        AwaitAssert(() => Assert.Equal(6, RecordOf("b")?.Revision), Deadline);
        Assert.Equal(5, RecordOf("a")!.Revision);
        Assert.Equal(_etcd.Get("/fleet/lb-1/a")!.Value.Lease, _etcd.Get("/fleet/lb-1/b")!.Value.Lease);
        Assert.Equal(("lb-1", "ok", "reload"), (RecordOf("a")!.Node, RecordOf("a")!.Outcome, RecordOf("a")!.How));

        Publish(Applied("a", 7, FleetOutcome.CheckFailed));
        Assert.Equal("check failed", AwaitRecord("a", 7).Outcome);
    }

    [Fact]
    public void While_etcd_is_down_only_the_latest_record_is_kept_and_put_once_it_answers_under_the_same_lease()
    {
        var health = CreateTestProbe();
        Sys.EventStream.Subscribe(health.Ref, typeof(FleetHealth));
        Publish(Applied("a", 1));
        AwaitRecord("a", 1);
        health.FishForMessage<FleetHealth>(h => h.Working, Deadline);

        _etcd.Reachable = false;
        for (var revision = 2; revision <= 20; revision++)
        {
            Publish(Applied("a", revision));
        }

        var down = health.FishForMessage<FleetHealth>(h => !h.Working, Deadline);
        Assert.Contains("Unavailable", down.Error);
        var putsBefore = _etcd.Count("put");
        _etcd.Reachable = true;

        AwaitRecord("a", 20);
        health.FishForMessage<FleetHealth>(h => h.Working, Deadline);
        Assert.InRange(_etcd.Count("put") - putsBefore, 1, 2); // the latest, not a queue of 19
        Assert.Equal(1, _etcd.Count("grant")); // the lease survived: kept
    }

    [Fact]
    public void A_lease_that_expired_is_replaced_and_every_record_put_again()
    {
        Publish(Applied("a", 1));
        Publish(Applied("b", 2));
        AwaitRecord("b", 2);

        _etcd.ExpireAll();

        AwaitAssert(() => Assert.Equal((1, 2), (RecordOf("a")?.Revision, RecordOf("b")?.Revision)), Deadline);
        Assert.Equal(2, _etcd.Count("grant"));
    }

    [Fact]
    public async Task Stopping_revokes_the_lease_so_the_records_go_at_once()
    {
        Publish(Applied("a", 1));
        AwaitRecord("a", 1);

        await _publisher.Ask<PublishingStopped>(StopPublishing.Instance, Deadline);

        Assert.Null(_etcd.Get("/fleet/lb-1/a"));
    }

    private void Publish(TemplateApplied applied) => Sys.EventStream.Publish(applied);

    private FleetRecord AwaitRecord(string template, long revision)
    {
        AwaitAssert(() => Assert.Equal(revision, RecordOf(template)?.Revision), Deadline);
        return RecordOf(template)!;
    }

    private FleetRecord? RecordOf(string template) =>
        _etcd.Get($"/fleet/lb-1/{template}") is { } entry ? JsonSerializer.Deserialize(entry.Value, FleetJson.Default.FleetRecord) : null;

    private static TemplateApplied Applied(string template, long revision, FleetOutcome outcome = FleetOutcome.Ok) =>
        new(template, revision, "abc", outcome, ApplyHow.Reload, DateTimeOffset.UnixEpoch);
}
