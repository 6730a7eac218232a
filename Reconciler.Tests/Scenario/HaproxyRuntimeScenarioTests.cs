using System.Diagnostics;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.Runtime;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;
using Xunit.Abstractions;

namespace Reconciler.Tests.Scenario;

/// <summary>
/// The shipped configuration's zero-reload pool changes against a real master-worker HAProxy under load: instances
/// coming and going fill and empty the template's slots through the admin socket, everything else reloads once.
/// </summary>
public sealed class HaproxyRuntimeScenarioTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    // from the put to the first request the new instance answers: debounce (200ms) + render + haproxy -c + commands,
    // with room for a loaded machine
    private static readonly TimeSpan ServesWithin = TimeSpan.FromSeconds(10);

    private readonly ITestOutputHelper _output;
    private HaproxyScenario? _scenario;

    public HaproxyRuntimeScenarioTests(ITestOutputHelper output)
        : base(output: output)
    {
        _output = output;
    }

    private HaproxyScenario Scenario => _scenario!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Fact]
    public async Task Instances_coming_and_going_under_load_cost_no_reload_and_no_failed_request()
    {
        _scenario = await HaproxyScenario.StartAsync(Sys);
        var worker = (await Scenario.Haproxy.ShowProcAsync()).Workers.Single();
        var instances = Enumerable.Range(1, 5).Select(Scenario.StartInstance).ToList();
        await Scenario.RegisterAsync(instances[0]);
        await ExpectRuntimeAppliesAsync(1);
        await Scenario.ExpectTrafficToAsync(instances[0]);

        var load = LoadGenerator.Start(Scenario.Frontend, maxRequests: 20000, maxDuration: TimeSpan.FromSeconds(60), pace: TimeSpan.FromMilliseconds(10));
        var events = 1;
        var slowest = TimeSpan.Zero;
        for (var round = 0; round < 2; round++)
        {
            foreach (var (register, instance) in new[]
                     {
                         (true, instances[1]), (true, instances[2]), (false, instances[0]), (true, instances[3]),
                         (false, instances[1]), (true, instances[4]), (true, instances[0]), (false, instances[2]),
                         (false, instances[3]), (true, instances[1]), (false, instances[4]), (true, instances[2]),
                         (false, instances[0]), (false, instances[1]), (true, instances[3]), (true, instances[0]),
                     }.Skip(round * 8).Take(8))
            {
                var served = instance.Served;
                var put = Stopwatch.StartNew();
                await (register ? Scenario.RegisterAsync(instance) : Scenario.DeregisterAsync(instance));
                events++;
                await ExpectRuntimeAppliesAsync(events);
                if (register)
                {
                    await Scenario.WaitUntilAsync($"the load reaches {instance.Name}", () => Task.FromResult(instance.Served > served));
                    slowest = put.Elapsed > slowest ? put.Elapsed : slowest;
                }
                else
                {
                    served = instance.Served;
                    Assert.DoesNotContain(instance.Name, await Scenario.ProbeAsync(12));
                    Assert.Equal(served, instance.Served); // nor did the load reach it
                }
            }
        }

        var report = await load.StopAsync();
        _output.WriteLine($"load through {events} runtime changes: {report}; slowest put → first request served {slowest.TotalMilliseconds:0} ms");
        Assert.True(report.Failures.Count == 0, $"{report}{Environment.NewLine}{Scenario.Diagnostics()}");
        Assert.True(report.Succeeded >= 200, $"too little load to prove anything: {report}");
        Assert.True(slowest < ServesWithin, $"a new instance took {slowest.TotalMilliseconds:0} ms to serve");
        var processes = await Scenario.Haproxy.ShowProcAsync();
        Assert.Equal((0, worker), (processes.Reloads, processes.Workers.Single()));
        Assert.Equal(["stupid-server-1", "stupid-server-3", "stupid-server-4"], Scenario.InstancesInFile());
        Assert.Equal(["stupid-server-1", "stupid-server-3", "stupid-server-4"], await ServingInstancesAsync());
        Assert.DoesNotContain(Scenario.Pipeline.Logs.Lines, l => l.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_change_outside_the_server_lines_reloads_once_and_the_pool_applied_at_runtime_is_still_there()
    {
        _scenario = await HaproxyScenario.StartAsync(Sys);
        var instances = Enumerable.Range(1, 2).Select(Scenario.StartInstance).ToList();
        await Scenario.RegisterAsync(instances[0]);
        await Scenario.RegisterAsync(instances[1]);
        await Scenario.WaitUntilAsync("both instances in the pool", async () => (await ServingInstancesAsync()).Count == 2);
        await Scenario.ExpectTrafficToAsync(instances[0]);
        await Scenario.ExpectTrafficToAsync(instances[1]);
        Assert.Equal(0, (await Scenario.Haproxy.ShowProcAsync()).Reloads);

        // SIGHUP with the stats page moved to another port: the stats frontend changes, the servers do not
        var settings = Scenario.Pipeline.Settings;
        var template = settings.Templates.Single();
        var moved = settings with
        {
            Templates = [template with { Variables = template.Variables.SetItem("stats_bind", $"127.0.0.1:{FreePort.Next()}") }],
        };
        Scenario.Pipeline.Root.Tell(new ApplyConfiguration(moved, TemplateApplier.CreateAll(moved, Scenario.Pipeline.Services)));

        await Scenario.ExpectReloadsAsync(1);
        Assert.Equal(["stupid-server-1", "stupid-server-2"], await ServingInstancesAsync());
        await Scenario.ExpectTrafficToAsync(instances[0]);
        await Scenario.ExpectTrafficToAsync(instances[1]);
        Assert.Equal(1, (await Scenario.Haproxy.ShowProcAsync()).Reloads);
        Assert.DoesNotContain(Scenario.Pipeline.Logs.Lines, l => l.Level >= LogLevel.Warning); // nor did the check after the reload find a difference
        var applied = Scenario.Journal().Where(e => e.Template == "haproxy" && e.File == "written").ToList();
        Assert.All(applied[..^1], e => Assert.StartsWith("runtime (", e.Applied, StringComparison.Ordinal));
        Assert.Equal(("reload", "beyond", "configuration reloaded"), (applied[^1].Applied, applied[^1].Why!.Contains("frontend stats", StringComparison.Ordinal) ? "beyond" : applied[^1].Why, applied[^1].Trigger));
        Assert.All(applied[..^1], e => Assert.Equal("keys changed", e.Trigger));
    }

    [Fact]
    public async Task Outgrowing_the_slots_reloads_once_and_later_changes_are_runtime_again()
    {
        _scenario = await HaproxyScenario.StartAsync(Sys);
        var instances = Enumerable.Range(1, 18).Select(Scenario.StartInstance).ToList();
        foreach (var instance in instances.Take(17))
        {
            await Scenario.RegisterAsync(instance);
        }

        await Scenario.WaitUntilAsync("17 instances in the pool", async () => (await ServingInstancesAsync()).Count == 17);
        await Scenario.ExpectReloadsAsync(1);
        Assert.Contains(Scenario.Pipeline.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("falls back to a reload: server application-backend/slot") && l.Message.Contains("'cookie'"));

        await Scenario.DeregisterAsync(instances[0]);
        await Scenario.RegisterAsync(instances[17]);
        await Scenario.ExpectTrafficToAsync(instances[17]);
        Assert.DoesNotContain("stupid-server-1", await ServingInstancesAsync());
        Assert.Equal(1, (await Scenario.Haproxy.ShowProcAsync()).Reloads);
    }

    [Fact]
    public async Task Without_the_socket_every_change_reloads_with_a_warning_saying_why()
    {
        using var sockets = new TempFolder(); // a folder only root writes to: a socket in /tmp is refused before it is tried
        var missing = sockets["no-such.sock"];
        _scenario = await HaproxyScenario.StartAsync(Sys, runtimeSocket: missing);
        var instance = Scenario.StartInstance(1);

        await Scenario.RegisterAsync(instance);

        await Scenario.ExpectReloadsAsync(1);
        await Scenario.ExpectTrafficToAsync(instance);
        Assert.Contains(Scenario.Pipeline.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains($"falls back to a reload: socket {missing} unavailable"));
        Assert.Contains(Scenario.Reconciles(), l => l.Message.Contains("reload=ok"));
    }

    [Fact]
    public async Task A_backend_with_a_static_algorithm_falls_back_to_a_reload_with_haproxys_reason()
    {
        _scenario = await HaproxyScenario.StartAsync(Sys, editTemplate: WithStaticAlgorithmAndDynamicServers);
        var instance = Scenario.StartInstance(1);

        await Scenario.RegisterAsync(instance);

        await Scenario.ExpectReloadsAsync(1);
        await Scenario.ExpectTrafficToAsync(instance);
        Assert.Contains(
            Scenario.Pipeline.Logs.Lines,
            l => l.Level == LogLevel.Warning && l.Message.Contains("falls back to a reload: HAProxy refused 'add server application-backend/stupid-server-1") && l.Message.Contains("dynamic load balancing"));
    }

    // one line per instance without cookies (dynamic servers), in a backend balanced by source address
    private static string WithStaticAlgorithmAndDynamicServers(string shipped)
    {
        var head = shipped.Replace("balance leastconn", "balance source", StringComparison.Ordinal);
        return head[..head.IndexOf("{{~ for slot", StringComparison.Ordinal)]
            + "{{~ for s in getvs \"/apps/stupid_server/*\" ~}}\n    server {{ s }} check\n{{~ end ~}}\n";
    }

    private Task ExpectRuntimeAppliesAsync(int count) =>
        Scenario.WaitUntilAsync(
            $"{count} changes applied at runtime",
            () => Task.FromResult(Scenario.Reconciles().Count(l => l.Message.Contains("reload=runtime (")) >= count));

    /// <summary>The instances HAProxy routes to: its ready servers, named by the file's comment for their address.</summary>
    private async Task<List<string>> ServingInstancesAsync()
    {
        var state = await new HaproxyRuntimeClient(Scenario.AdminSocket, TimeSpan.FromSeconds(5)).SendAsync("show servers state application-backend", default);
        var names = Scenario.LiveConfig.Split('\n')
            .Select(line => line.Trim().Split(' '))
            .Where(words => words.Length > 2 && words[0] == "server" && words.Contains("#"))
            .ToDictionary(words => words[2], words => words[^1]);
        return [.. HaproxyRunningServer.ParseState(state)
            .Where(s => !s.InMaintenance)
            .Select(s => names.GetValueOrDefault($"{s.Host}:{s.Port}", $"{s.Host}:{s.Port}"))
            .Order(StringComparer.Ordinal)];
    }
}
