using Reconciler.Actors.Runtime;

namespace Reconciler.Tests.Runtime;

public sealed class HaproxyRuntimePlanTests
{
    [Fact]
    public void A_filled_slot_gets_its_address_and_comes_up()
    {
        var plan = PlanFor("server slot1 127.0.0.1:1 cookie s1 check disabled", "server slot1 10.0.0.7:8080 cookie s1 check");

        Assert.Null(plan.Refusal);
        Assert.Equal(
            ["set server app/slot1 addr 10.0.0.7 port 8080", "set server app/slot1 state ready", "set server app/slot1 health up"],
            Commands(plan));
    }

    [Fact]
    public void An_emptied_slot_drains_before_maintenance_and_its_placeholder_address()
    {
        var plan = PlanFor("server slot1 10.0.0.7:8080 cookie s1 check", "server slot1 127.0.0.1:1 cookie s1 check disabled");

        Assert.Equal(
            ["set server app/slot1 state drain", "await app/slot1", "set server app/slot1 state maint", "set server app/slot1 addr 127.0.0.1 port 1"],
            Steps(plan));
    }

    [Fact]
    public void A_slot_handed_to_another_instance_drains_the_old_one_first()
    {
        var plan = PlanFor("server slot1 10.0.0.7:8080 check", "server slot1 10.0.0.8:8080 check");

        Assert.Equal(
            ["set server app/slot1 state drain", "await app/slot1", "set server app/slot1 state maint", "set server app/slot1 addr 10.0.0.8 port 8080", "set server app/slot1 state ready", "set server app/slot1 health up"],
            Steps(plan));
    }

    [Fact]
    public void A_new_server_is_added_with_its_keywords_then_checked_and_enabled()
    {
        var plan = PlanFor(null, "server web3 10.0.0.3:80 check inter 500ms weight 20");

        Assert.Equal(
            ["add server app/web3 10.0.0.3:80 check inter 500ms weight 20", "enable health app/web3", "set server app/web3 state ready", "set server app/web3 health up"],
            Commands(plan));
    }

    [Fact]
    public void A_removed_server_is_drained_then_deleted()
    {
        var plan = PlanFor("server web3 10.0.0.3:80", null);

        Assert.Equal(["set server app/web3 state drain", "await app/web3", "set server app/web3 state maint", "del server app/web3"], Steps(plan));
    }

    [Fact]
    public void A_weight_change_is_one_command()
    {
        Assert.Equal(["set server app/a weight 7"], Commands(PlanFor("server a 10.0.0.1:80 weight 3", "server a 10.0.0.1:80 weight 7")));
    }

    [Fact]
    public void Removals_drain_together_while_additions_go_in()
    {
        var plan = HaproxyRuntimePlan.For([Change("server a 10.0.0.1:80", null), Change(null, "server b 10.0.0.2:80"), Change("server c 10.0.0.3:80", null)]);

        Assert.Equal(
            [
                "set server app/a state drain", "set server app/c state drain", "add server app/b 10.0.0.2:80", "set server app/b state ready",
                "await app/a app/c", "set server app/a state maint", "del server app/a", "set server app/c state maint", "del server app/c",
            ],
            Steps(plan));
    }

    [Theory]
    [InlineData(null, "server b 10.0.0.2:80 cookie B check", "server app/b is new and has 'cookie', which HAProxy refuses on a server added at runtime (declare slots for it)")]
    [InlineData("server a 10.0.0.1:80 check", "server a 10.0.0.1:80 check inter 1s", "server app/a changed beyond its address, weight and state")]
    [InlineData("server a 10.0.0.1:80", "server a web.internal:80", "server app/a has a host name, not an IP address")]
    public void What_the_runtime_api_cannot_do_is_refused_with_the_reason(string? old, string? @new, string refusal)
    {
        var plan = PlanFor(old, @new);

        Assert.Equal(refusal, plan.Refusal);
        Assert.Empty(plan.Steps);
    }

    [Fact]
    public void A_keyword_that_would_end_the_command_and_start_another_is_refused()
    {
        var plan = PlanFor(null, "server web3 10.0.0.3:80 check-sni \"a;disable frontend http-in \"");

        Assert.Equal(
            "'add server app/web3 10.0.0.3:80 check-sni \"a;disable frontend http-in \"' has the word '\"a;disable', which HAProxy's admin socket would not take as one word (printable ASCII only, without ; \\ ' \" # or <<)",
            plan.Refusal);
        Assert.Empty(plan.Steps);
    }

    [Theory]
    [InlineData(null, "server web3 10.0.0.3:80 check-sni a\\b")]
    [InlineData(null, "server web3 10.0.0.3:80 check-sni 'a'")]
    [InlineData(null, "server web3 10.0.0.3:80 check-sni a#b")]
    [InlineData(null, "server web3 10.0.0.3:80 check-sni caf\u00e9")]
    [InlineData(null, "server web3 10.0.0.3:80 check-sni a\u0007")]
    [InlineData(null, "server web3 10.0.0.3:80 check-sni a<<")]
    [InlineData("server s;1 10.0.0.1:80", "server s;1 10.0.0.2:80")]
    [InlineData("server s\"1 10.0.0.1:80 weight 1", "server s\"1 10.0.0.1:80 weight 2")]
    [InlineData("server s1 10.0.0.1:80", null)]
    public void Any_word_of_a_command_the_admin_socket_would_not_read_as_one_word_is_refused(string? old, string? @new)
    {
        var plan = HaproxyRuntimePlan.For([new HaproxyServerChange(@new is null ? "app#2" : "app", Server(old), Server(@new))]);

        Assert.Contains("which HAProxy's admin socket would not take as one word", plan.Refusal);
        Assert.Empty(plan.Steps);
    }

    [Fact]
    public void A_keyword_no_command_carries_may_hold_anything()
    {
        var plan = PlanFor("server slot1 127.0.0.1:1 cookie \"s;1\" disabled", "server slot1 10.0.0.7:8080 cookie \"s;1\"");

        Assert.Null(plan.Refusal);
        Assert.Equal(["set server app/slot1 addr 10.0.0.7 port 8080", "set server app/slot1 state ready"], Commands(plan));
    }

    private static HaproxyRuntimePlan PlanFor(string? old, string? @new) => HaproxyRuntimePlan.For([Change(old, @new)]);

    private static HaproxyServerChange Change(string? old, string? @new) => new("app", Server(old), Server(@new));

    private static HaproxyServerLine? Server(string? line) => line is null ? null : HaproxyServerLine.Parse(line.Split(' '));

    private static List<string> Commands(HaproxyRuntimePlan plan) => [.. plan.Steps.OfType<HaproxyCommand>().Select(c => c.Command)];

    private static List<string> Steps(HaproxyRuntimePlan plan) =>
        [.. plan.Steps.Select(s => s switch
        {
            HaproxyCommand command => command.Command,
            HaproxyAwaitDrained drain => "await " + string.Join(' ', drain.Servers),
            _ => s.ToString()!,
        })];
}
