using Reconciler.Actors.Runtime;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Runtime;

public sealed class HaproxyRuntimeClientTests
{
    [Theory]
    [InlineData("set server app/s1 state ready;disable frontend http-in", "'set server app/s1 state ready;disable frontend http-in'")]
    [InlineData("set server app/s1 state ready\ndisable frontend http-in", "'set server app/s1 state ready\\u000adisable frontend http-in'")]
    [InlineData("set server app/s1 state ready\r", "'set server app/s1 state ready\\u000d'")]
    [InlineData("set server app/s1 state\tready", "'set server app/s1 state\\u0009ready'")]
    [InlineData("set server app/s\u00e91 state ready", "'set server app/s\\u00e91 state ready'")]
    public async Task More_than_one_command_or_a_control_character_is_never_sent(string command, string shown)
    {
        await using var socket = new CannedAdminSocket(_ => "\n");
        var client = new HaproxyRuntimeClient(socket.Path, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<HaproxySocketException>(() => client.SendAsync(command, default));

        Assert.Equal($"not sent to socket {socket.Path}: {shown} is not one command (it holds a ';', '<<', a control character or non-ASCII)", error.Message);
        Assert.Equal("\n", await client.SendAsync("show info", default)); // the socket works, and got only this
        Assert.Equal(["show info"], socket.Received);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a.example x\nshow info", "not printable ASCII")]
    [InlineData("a.example x\r", "not printable ASCII")]
    public async Task A_payload_line_that_could_end_the_payload_or_carry_a_command_is_never_sent(string line, string problem)
    {
        await using var socket = new CannedAdminSocket(_ => "\n");
        var client = new HaproxyRuntimeClient(socket.Path, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<HaproxySocketException>(() => client.SendPayloadAsync("add map @1 /etc/haproxy/hosts.map", ["b.example y", line], default));

        Assert.Equal($"not sent to socket {socket.Path}: a payload line of 'add map @1 /etc/haproxy/hosts.map' is {problem}", error.Message);
        Assert.Empty(socket.Received);
    }

    [Fact]
    public async Task Commands_sent_together_are_each_one_command()
    {
        await using var socket = new CannedAdminSocket(_ => "\n\n");
        var client = new HaproxyRuntimeClient(socket.Path, TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<HaproxySocketException>(() => client.SendAllAsync(["add acl /a 10.0.0.1", "add acl /a 10.0.0.2;show info"], default));
        Assert.Equal("\n\n", await client.SendAllAsync(["add acl /a 10.0.0.1", "add acl /a 10.0.0.2"], default));

        Assert.Equal(["add acl /a 10.0.0.1; add acl /a 10.0.0.2"], socket.Received);
    }
}
