using System.Collections.Immutable;
using Reconciler.Actors.Runtime;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Runtime;

/// <summary>
/// How a command's answer is judged: as a whole. The answers accepted are HAProxy 2.6.12's, byte for byte as its
/// admin socket wrote them; the refused ones add what a second command (or an error) would.
/// </summary>
public sealed class HaproxyCommandAnswerTests
{
    private static readonly ImmutableDictionary<string, ImmutableArray<HaproxyServerLine>> NoPools =
        ImmutableDictionary<string, ImmutableArray<HaproxyServerLine>>.Empty;

    [Theory]
    [InlineData("\n")]
    [InlineData("")]
    public void A_command_answered_with_nothing_succeeds_on_nothing(string answer) =>
        Assert.True(new HaproxyCommand("set server app/slot1 state ready").Succeeded(answer));

    [Theory]
    [InlineData("No such server.\n\n")]
    [InlineData("\n\nNo such server.\n\n")]
    [InlineData("Permission denied\n\n")]
    public void A_command_answered_with_nothing_fails_on_anything(string answer) =>
        Assert.False(new HaproxyCommand("set server app/slot1 state ready").Succeeded(answer));

    [Theory]
    [InlineData("add server app/dyn1 127.0.0.1:9005 check", "New server registered.", "New server registered.\n\n", true)]
    [InlineData("del server app/dyn1", "Server deleted.", "Server deleted.\n", true)]
    [InlineData("add server app/dyn1 127.0.0.1:9005 check", "New server registered.", "New server registered.\n\nNo such server.\n\n", false)]
    [InlineData("add server app/dyn1 127.0.0.1:9005 check", "New server registered.", "New server registered. Or not.\n\n", false)]
    [InlineData("add server app/dyn1 127.0.0.1:9005 check", "New server registered.", "Already exists a server with the same name in backend.\n\n", false)]
    [InlineData("del server app/dyn1", "Server deleted.", "Only servers in maintenance mode can be deleted.\n", false)]
    public void A_command_with_a_success_text_succeeds_on_that_line_alone(string command, string success, string answer, bool succeeded) =>
        Assert.Equal(succeeded, new HaproxyCommand(command, Success: success).Succeeded(answer));

    [Theory]
    [InlineData("no need to change the addr, port changed from '1' to '9001' by 'stats socket command'\n\n", true)]
    [InlineData("IP changed from '127.0.0.1' to '127.0.0.2', no need to change the port by 'stats socket command'\n\n", true)]
    [InlineData("IP changed from '::1' to '127.0.0.3', port changed from '9003' to '9011' by 'stats socket command'\n\n", true)]
    [InlineData("no need to change the addr, no need to change the port by 'stats socket command'\n\n", true)]
    [InlineData("Invalid addr 'foo' by 'stats socket command'\n\n", false)]
    [InlineData("No such server.\n\n", false)]
    [InlineData("Permission denied\n\n", false)]
    [InlineData("no need to change the addr by 'stats socket command'\n\n", false)]
    [InlineData("IP changed from '127.0.0.1' to '127.0.0.2', no need to change the port by 'stats socket command'\n\nNo such server.\n\n", false)]
    [InlineData("IP changed from '127.0.0.1' to '127.0.0.2', no need to change the port by 'stats socket command'\n\n\nNew server registered.\n\n", false)]
    public void An_address_change_succeeds_on_one_line_of_a_shape_haproxy_writes(string answer, bool succeeded) =>
        Assert.Equal(succeeded, new HaproxyCommand("set server app/slot1 addr 127.0.0.2 port 9001", ChangesAddress: true).Succeeded(answer));

    [Fact]
    public async Task The_applier_refuses_a_success_line_followed_by_another_answer()
    {
        await using var socket = new CannedAdminSocket(command => command.StartsWith("add server", StringComparison.Ordinal)
            ? "New server registered.\n\nNo such server.\n\n"
            : "\n");
        var plan = HaproxyRuntimePlan.For([new HaproxyServerChange("app", null, Server("server web3 10.0.0.3:80"))]);

        var result = await Applier(socket).ApplyAsync(plan, NoPools, default);

        Assert.False(result.Applied);
        Assert.Equal("refused", result.ReasonLabel);
        Assert.Equal("HAProxy refused 'add server app/web3 10.0.0.3:80': New server registered. (and 1 more line)", result.Reason);
        Assert.Equal(["add server app/web3 10.0.0.3:80"], socket.Received);
    }

    [Theory]
    [InlineData("Invalid addr '10.0.0.7' by 'stats socket command'\n\n", "Invalid addr '10.0.0.7' by 'stats socket command'")]
    [InlineData(
        "IP changed from '127.0.0.1' to '10.0.0.7', port changed from '1' to '8080' by 'stats socket command'\n\nNo such server.\n\n",
        "IP changed from '127.0.0.1' to '10.0.0.7', port changed from '1' to '8080' by 'stats socket command' (and 1 more line)")]
    public async Task The_applier_refuses_an_address_answer_of_another_shape_or_with_more_lines(string answer, string reported)
    {
        await using var socket = new CannedAdminSocket(command => command.Contains(" addr ", StringComparison.Ordinal) ? answer : "\n");
        var plan = HaproxyRuntimePlan.For([new HaproxyServerChange("app", Server("server slot1 127.0.0.1:1 disabled"), Server("server slot1 10.0.0.7:8080"))]);

        var result = await Applier(socket).ApplyAsync(plan, NoPools, default);

        Assert.False(result.Applied);
        Assert.Equal("refused", result.ReasonLabel);
        Assert.Equal($"HAProxy refused 'set server app/slot1 addr 10.0.0.7 port 8080': {reported}", result.Reason);
    }

    private static HaproxyRuntimeApplier Applier(CannedAdminSocket socket) =>
        new(new HaproxyRuntimeClient(socket.Path, TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(1));

    private static HaproxyServerLine Server(string line) => HaproxyServerLine.Parse(line.Split(' '))!;
}
