using Microsoft.Extensions.Logging;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Scenario;

/// <summary>
/// The registry is untrusted input: with the shipped configuration (runtime API on), a host that may register writes
/// values meant to take over the load balancer. None of them changes the file beyond the slot a real instance fills.
/// </summary>
public sealed class RegistryTrustScenarioTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private const string Injection = "x 10.0.0.5:80\n    http-request redirect location http://attacker.invalid/\n    server tail 127.0.0.1:2";

    private HaproxyScenario? _scenario;

    private HaproxyScenario Scenario => _scenario!;

    public async Task InitializeAsync() => _scenario = await HaproxyScenario.StartAsync(Sys);

    public async Task DisposeAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_registration_carrying_haproxy_directives_is_skipped_and_the_other_instances_are_served()
    {
        var first = Scenario.StartInstance(1);
        var second = Scenario.StartInstance(2);
        await Scenario.RegisterAsync(first);
        await ExpectRuntimeAppliesAsync(1);
        await Scenario.ExpectTrafficToAsync(first);
        var linesBefore = Scenario.LiveConfig.Split('\n').ToHashSet(StringComparer.Ordinal);

        await Scenario.Etcd.PutAsync($"{HaproxyScenario.Prefix}/evil@1.service", Injection);
        await Scenario.Etcd.PutAsync($"{HaproxyScenario.Prefix}/evil@2.service", "y 10.0.0.6:80 backup # weight 0");
        await Scenario.Etcd.PutAsync($"{HaproxyScenario.Prefix}/evil@3.service", "program p\n    command /bin/sh -c id");
        await Scenario.RegisterAsync(second);
        await ExpectRuntimeAppliesAsync(2);
        await Scenario.ExpectTrafficToAsync(second);

        var added = Scenario.LiveConfig.Split('\n').Where(line => !linesBefore.Contains(line)).ToList();
        var slot = Assert.Single(added); // the slot the second instance took, and nothing else
        Assert.Matches(@"^    server slot\d+ 127\.0\.0\.1:\d+ cookie s\d+ check # stupid-server-2$", slot);
        Assert.DoesNotContain("attacker", Scenario.LiveConfig);
        Assert.DoesNotContain("10.0.0.", Scenario.LiveConfig);
        Assert.DoesNotContain("program", Scenario.LiveConfig);
        Assert.Equal(["stupid-server-1", "stupid-server-2"], Scenario.InstancesInFile());
        Assert.Equal(0, (await Scenario.Haproxy.ShowProcAsync()).Reloads); // both applied at runtime

        var warnings = Scenario.Pipeline.Logs.Lines.Where(l => l.Level == LogLevel.Warning && l.Message.Contains("skips key")).ToList();
        Assert.Equal(3, warnings.Count); // one each, not one per render
        Assert.Contains(warnings, w => w.Message.Contains($"skips key {HaproxyScenario.Prefix}/evil@1.service: its value has a control character"));
        Assert.Contains(warnings, w => w.Message.Contains($"skips key {HaproxyScenario.Prefix}/evil@2.service: its value is not"));
        Assert.All(warnings, w => Assert.DoesNotContain("attacker", w.Message));
    }

    [Fact]
    public async Task A_registration_pointing_at_cloud_metadata_the_load_balancers_frontend_or_a_host_name_is_skipped_and_a_good_one_applies()
    {
        var good = Scenario.StartInstance(1);
        var bad = new Dictionary<string, string>
        {
            ["metadata"] = "meta 169.254.169.254:80",
            ["mapped"] = "meta [::ffff:169.254.169.254]:80",
            ["any"] = $"loop 0.0.0.0:{Scenario.HttpPort}",
            ["name"] = "evil does-not-exist.invalid:80",
            ["hex"] = "hex 0x7f000001:80",
        };
        foreach (var (name, value) in bad)
        {
            await Scenario.Etcd.PutAsync($"{HaproxyScenario.Prefix}/{name}@1.service", value);
        }

        await Scenario.RegisterAsync(good);
        await ExpectRuntimeAppliesAsync(1);
        await Scenario.ExpectTrafficToAsync(good);

        Assert.Equal(["stupid-server-1"], Scenario.InstancesInFile());
        Assert.DoesNotContain("169.254.", Scenario.LiveConfig);
        Assert.DoesNotContain("0.0.0.0", Scenario.LiveConfig);
        Assert.DoesNotContain("invalid", Scenario.LiveConfig);
        Assert.Equal(0, (await Scenario.Haproxy.ShowProcAsync()).Reloads);
        var warnings = Scenario.Pipeline.Logs.Lines.Where(l => l.Level == LogLevel.Warning && l.Message.Contains("skips key")).Select(l => l.Message).ToList();
        Assert.Equal(bad.Count, warnings.Count); // one each, not one per render
        Assert.Contains(warnings, w => w.Contains($"skips key {HaproxyScenario.Prefix}/metadata@1.service: its host is outside allowed-networks"));
        Assert.Contains(warnings, w => w.Contains($"skips key {HaproxyScenario.Prefix}/mapped@1.service: its host is outside allowed-networks"));
        Assert.Contains(warnings, w => w.Contains($"skips key {HaproxyScenario.Prefix}/any@1.service: its host is unspecified"));
        Assert.Contains(warnings, w => w.Contains($"skips key {HaproxyScenario.Prefix}/name@1.service: its host is a host name"));
        Assert.Contains(warnings, w => w.Contains($"skips key {HaproxyScenario.Prefix}/hex@1.service: its value has a host that is neither"));
    }

    private Task ExpectRuntimeAppliesAsync(int count) =>
        Scenario.WaitUntilAsync(
            $"{count} changes applied at runtime",
            () => Task.FromResult(Scenario.Reconciles().Count(l => l.Message.Contains("reload=runtime (")) >= count));
}
