using System.Net;
using Reconciler.Actors.Output;
using Reconciler.Tests.Fixtures;
using Xunit.Abstractions;

namespace Reconciler.Tests.Scenario;

/// <summary>
/// docs/scenario.md end to end: instances register in etcd, the reconciler rewrites haproxy.cfg from the shipped
/// template, checks it with <c>haproxy -c</c> and reloads a real master-worker HAProxy, and traffic follows.
/// </summary>
public sealed class HaproxyScenarioTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly ITestOutputHelper _output;
    private HaproxyScenario? _scenario;

    public HaproxyScenarioTests(ITestOutputHelper output)
        : base(output: output)
    {
        _output = output;
    }

    private HaproxyScenario Scenario => _scenario!;

    // the reload path: every change reloads (HaproxyRuntimeScenarioTests covers the shipped runtime API)
    // allow-hostnames: with it, a well-formed registration HAProxy still refuses (a name it cannot resolve) can reach the check
    public async Task InitializeAsync() => _scenario = await HaproxyScenario.StartAsync(Sys, runtime: false, allowHostNames: true);

    public async Task DisposeAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_pool_follows_registrations_and_no_request_fails_during_the_reloads()
    {
        Assert.Equal(0, (await Scenario.Haproxy.ShowProcAsync()).Reloads); // the first reconcile found the file in sync
        var instances = Enumerable.Range(1, 4).Select(Scenario.StartInstance).ToList();

        await Scenario.RegisterAsync(instances[0]);
        await Scenario.ExpectReloadsAsync(1);
        await Scenario.ExpectTrafficToAsync(instances[0]);
        await Scenario.RegisterAsync(instances[1]);
        await Scenario.ExpectReloadsAsync(2);
        await Scenario.ExpectTrafficToAsync(instances[1]);

        var load = LoadGenerator.Start(Scenario.Frontend, maxRequests: 5000, maxDuration: TimeSpan.FromSeconds(30), pace: TimeSpan.FromMilliseconds(10));
        var reloads = 2;
        foreach (var (register, instance) in new[]
                 {
                     (true, instances[2]), (true, instances[3]), (false, instances[0]), (false, instances[1]),
                     (true, instances[0]), (false, instances[2]), (true, instances[1]), (false, instances[3]),
                 })
        {
            if (register)
            {
                await Scenario.RegisterAsync(instance);
                await Scenario.ExpectReloadsAsync(++reloads);
                await Scenario.WaitUntilAsync($"the load reaches {instance.Name}", () => Task.FromResult(load.Answers.ContainsKey(instance.Name)));
            }
            else
            {
                await Scenario.DeregisterAsync(instance);
                await Scenario.ExpectReloadsAsync(++reloads);
                var served = instance.Served;
                Assert.DoesNotContain(instance.Name, await Scenario.ProbeAsync(12));
                Assert.Equal(served, instance.Served); // nor did the load reach it
            }
        }

        var report = await load.StopAsync();
        _output.WriteLine($"load through {reloads} reloads: {report}");
        Assert.True(report.Failures.Count == 0, $"{report}{Environment.NewLine}{Scenario.Diagnostics()}");
        Assert.True(report.Succeeded >= 200, $"too little load to prove anything: {report}");
        Assert.Equal(["stupid-server-1", "stupid-server-2"], ServerNames());
        Assert.Empty(Scenario.Errors());
    }

    [Fact]
    public async Task A_value_haproxy_rejects_is_quarantined_leaving_the_live_file_and_haproxy_alone_and_its_next_valid_value_goes_through()
    {
        var first = Scenario.StartInstance(1);
        var second = Scenario.StartInstance(2);
        await Scenario.RegisterAsync(first);
        await Scenario.ExpectReloadsAsync(1);
        var live = Scenario.LiveConfig;
        var before = await Scenario.Haproxy.ShowProcAsync();

        // a well-formed registration HAProxy still refuses: a host name it cannot resolve (allow-hostnames is on).
        // Quarantine leaves it out (the file without it is the live one), saying so with HAProxy's own message.
        await Scenario.Etcd.PutAsync(HaproxyScenario.KeyOf(second), "stupid-server-2 no-such-host.invalid:9000");
        await Scenario.WaitUntilAsync(
            "the quarantine warning with HAProxy's own message in the log",
            () => Task.FromResult(Scenario.Pipeline.Logs.Lines.Any(l => l.Message.Contains("quarantines key") && l.Message.Contains("[ALERT]") && l.Message.Contains("no-such-host.invalid"))));

        Assert.Equal(live, Scenario.LiveConfig);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Scenario.ConfigFile)!, "*.tmp"));
        var after = await Scenario.Haproxy.ShowProcAsync(); // same master, same worker, no reload
        Assert.Equal((before.MasterPid, before.Reloads, before.Workers.Single()), (after.MasterPid, after.Reloads, after.Workers.Single()));
        Assert.DoesNotContain(Scenario.Errors(), l => l.Message.Contains("check=failed"));
        Assert.All(await Scenario.ProbeAsync(4), answer => Assert.Equal(first.Name, answer));

        await Scenario.RegisterAsync(second);
        await Scenario.ExpectReloadsAsync(2);
        await Scenario.ExpectTrafficToAsync(second);
        Assert.Equal(["stupid-server-1", "stupid-server-2"], ServerNames());

        // the journal says each step, in order: written, the refused value left out (the file unchanged), written
        var steps = Scenario.Journal().Where(e => e.Template == "haproxy").ToList();
        Assert.Equal(2, steps.Count(e => e.File == "written"));
        Assert.Contains(steps, e => e.File == "unchanged" && e.Quarantined is { } held && held.Any(k => k.Key == HaproxyScenario.KeyOf(second) && k.Reason.Contains("[ALERT]")));
        Assert.DoesNotContain(steps, e => e.File.StartsWith("check failed", StringComparison.Ordinal));
        Assert.Equal(steps.Select(e => e.Revision).Order(), steps.Select(e => e.Revision));
    }

    [Fact]
    public async Task A_get_an_instance_drops_in_flight_is_answered_by_another_instance_and_a_dropped_post_is_not_resent()
    {
        var healthy = Scenario.StartInstance(1);
        var crashing = Scenario.StartDroppingInstance(9);
        await Scenario.RegisterAsync(healthy);
        await Scenario.ExpectReloadsAsync(1);
        await Scenario.RegisterAsync(crashing);
        await Scenario.ExpectReloadsAsync(2);
        Assert.Equal(["stupid-server-1", "stupid-server-9"], ServerNames());

        Assert.All(await Scenario.ProbeAsync(20), answer => Assert.Equal(healthy.Name, answer));
        Assert.Contains("GET", crashing.Dropped); // the crashing instance got GETs, and HAProxy resent them

        var posts = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            posts.Add(await Scenario.PostAsync());
        }

        // a POST the instance may have half processed is answered 502, never resent to another instance
        var droppedPosts = crashing.Dropped.Count(method => method == "POST");
        Assert.InRange(droppedPosts, 1, 20);
        Assert.Equal(droppedPosts, posts.Count(status => status == HttpStatusCode.BadGateway));
        Assert.Equal(20 - droppedPosts, posts.Count(status => status == HttpStatusCode.OK));
    }

    [Fact]
    public async Task While_etcd_is_down_nothing_is_rewritten_and_traffic_flows_and_changes_are_picked_up_once_it_is_back()
    {
        var first = Scenario.StartInstance(1);
        var second = Scenario.StartInstance(2);
        await Scenario.RegisterAsync(first);
        await Scenario.ExpectReloadsAsync(1);
        var live = Scenario.LiveConfig;

        await Scenario.Etcd.StopAsync();
        await Scenario.WaitUntilAsync(
            "the reconciler noticing that etcd is gone",
            () => Task.FromResult(Scenario.Pipeline.Logs.Lines.Any(l => l.Message.StartsWith("Backend unavailable, retrying with backoff", StringComparison.Ordinal))));
        Assert.All(await Scenario.ProbeAsync(10), answer => Assert.Equal(first.Name, answer));
        Assert.Equal(live, Scenario.LiveConfig);
        Assert.Equal(1, (await Scenario.Haproxy.ShowProcAsync()).Reloads);

        await Scenario.Etcd.StartAsync();
        await Scenario.RegisterAsync(second);
        await Scenario.ExpectReloadsAsync(2);
        await Scenario.ExpectTrafficToAsync(second);
    }

    [Fact]
    public async Task Self_registered_instances_leave_the_pool_on_SIGTERM_at_once_and_when_killed_once_their_lease_expires()
    {
        var instances = Enumerable.Range(1, 3).Select(Scenario.StartInstance).ToList();
        await Scenario.RegisterAsync(instances[0]);
        await Scenario.ExpectReloadsAsync(1);
        await using var second = Scenario.SelfRegister(instances[1], ttl: "2s");
        await Scenario.ExpectReloadsAsync(2);
        await using var third = Scenario.SelfRegister(instances[2], ttl: "2s");
        await Scenario.ExpectReloadsAsync(3);
        await Scenario.ExpectTrafficToAsync(instances[2]);
        var load = LoadGenerator.Start(Scenario.Frontend, maxRequests: 5000, maxDuration: TimeSpan.FromSeconds(30), pace: TimeSpan.FromMilliseconds(10));

        // stopping the unit: the sidecar deregisters first, then the instance stops
        second.Signal(LibC.SIGTERM);
        Assert.Equal(0, (await second.WaitForExitAsync(TimeSpan.FromSeconds(10))).ExitCode);
        await Scenario.ExpectReloadsAsync(4);
        var served = instances[1].Served;
        Assert.DoesNotContain(instances[1].Name, await Scenario.ProbeAsync(12));
        Assert.Equal(served, instances[1].Served);
        await instances[1].DisposeAsync();

        // a crash: instance and sidecar die at once, nobody deregisters; until the lease expires HAProxy still
        // routes to it, and retries + redispatch move those requests to a live instance
        await instances[2].DisposeAsync();
        third.Signal(LibC.SIGKILL);
        await Scenario.ExpectReloadsAsync(5);

        var report = await load.StopAsync();
        _output.WriteLine($"load through a deregistration and a crash: {report}");
        Assert.True(report.Failures.Count == 0, $"{report}{Environment.NewLine}{Scenario.Diagnostics()}");
        Assert.Equal(["stupid-server-1"], ServerNames());
    }

    private List<string> ServerNames() => Scenario.InstancesInFile();
}
