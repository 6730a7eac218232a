using Microsoft.Extensions.Logging;
using Reconciler.Actors.Registration;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Registration;

/// <summary>The registration loop against an in-memory etcd, with a 300 ms TTL so renewals come every 100 ms.</summary>
public sealed class LeaseRegistrationTests : IAsyncDisposable
{
    private const string Key = "/apps/stupid_server/stupid-server@1.service";
    private const string Value = "stupid-server-1 10.10.10.10:9000";

    private static readonly TimeSpan Ttl = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly FakeLeaseClient _etcd = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    [Fact]
    public async Task Puts_the_key_under_a_lease_with_the_ttl_and_renews_it_every_third_of_the_ttl()
    {
        Start();
        await WaitUntilAsync("three renewals", () => _etcd.Count("keepalive") >= 3);

        Assert.Equal(1, _etcd.Count("grant"));
        Assert.Equal((Value, 0x100), _etcd.Get(Key));
        Assert.Equal(Ttl, _etcd.TtlOf(0x100));
        var renewals = _etcd.Calls.Where(c => c.Call is "put" or "keepalive").Select(c => c.At).Take(4).ToList();
        Assert.All(renewals.Zip(renewals.Skip(1), (a, b) => b - a), gap => Assert.True(gap >= TimeSpan.FromMilliseconds(90), $"renewed after {gap.TotalMilliseconds}ms"));
        Assert.Single(_logs.Lines, l => l.Message.StartsWith($"Registered {Key} = \"{Value}\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_revokes_the_lease_so_the_key_goes_at_once()
    {
        Start();
        await WaitUntilAsync("registered", () => _etcd.Get(Key) is not null);

        await StopAsync();

        Assert.Null(_etcd.Get(Key));
        Assert.Equal(1, _etcd.Count("revoke"));
        Assert.Contains(_logs.Lines, l => l.Message == $"Deregistered {Key}: lease 100 revoked");
    }

    [Fact]
    public async Task An_outage_is_logged_once_and_the_key_is_put_again_on_the_surviving_lease()
    {
        Start();
        await WaitUntilAsync("registered", () => _etcd.Get(Key) is not null);

        _etcd.Reachable = false;
        await WaitUntilAsync("five failed calls", () => _etcd.Count("unreachable") >= 5);
        _etcd.Reachable = true;
        await WaitUntilAsync("the key put again", () => _etcd.Count("put") == 2);

        Assert.Equal(1, _etcd.Count("grant"));
        Assert.Equal((Value, 0x100), _etcd.Get(Key));
        Assert.Single(_logs.Lines, l => l.Level == LogLevel.Warning);
        Assert.Single(_logs.Lines, l => l.Message.StartsWith("Lost etcd: fake etcd: Unavailable", StringComparison.Ordinal));
        Assert.Single(_logs.Lines, l => l.Message == $"Registered {Key} again in fake etcd under lease 100");
        Assert.True(_logs.Lines.Count(l => l.Message.StartsWith("etcd still unreachable", StringComparison.Ordinal)) >= 4);
        Assert.All(_logs.Lines.Where(l => l.Message.StartsWith("etcd still unreachable", StringComparison.Ordinal)), l => Assert.Equal(LogLevel.Debug, l.Level));
    }

    [Fact]
    public async Task A_lease_lost_during_an_outage_is_replaced_by_a_new_one()
    {
        Start();
        await WaitUntilAsync("registered", () => _etcd.Get(Key) is not null);

        _etcd.Reachable = false;
        await WaitUntilAsync("a failed call", () => _etcd.Count("unreachable") >= 1);
        _etcd.ExpireAll();
        _etcd.Reachable = true;
        await WaitUntilAsync("the key back", () => _etcd.Get(Key) is not null);

        Assert.Equal(2, _etcd.Count("grant"));
        Assert.Equal((Value, 0x101), _etcd.Get(Key));
    }

    [Fact]
    public async Task A_lease_that_expired_while_etcd_answered_is_replaced_and_logged()
    {
        Start();
        await WaitUntilAsync("registered", () => _etcd.Get(Key) is not null);

        _etcd.ExpireAll();
        await WaitUntilAsync("the key back", () => _etcd.Get(Key) is not null);

        Assert.Equal((Value, 0x101), _etcd.Get(Key));
        Assert.Single(_logs.Lines, l => l.Message == $"Lease 100 expired (not renewed in time); registering {Key} again");
    }

    [Fact]
    public async Task Etcd_unreachable_at_start_is_logged_once_and_the_key_is_put_when_it_answers()
    {
        _etcd.Reachable = false;
        Start();
        await WaitUntilAsync("three failed calls", () => _etcd.Count("unreachable") >= 3);
        _etcd.Reachable = true;
        await WaitUntilAsync("registered", () => _etcd.Get(Key) is not null);

        Assert.Single(_logs.Lines, l => l.Level == LogLevel.Warning && l.Message.StartsWith($"Cannot register {Key}: fake etcd: Unavailable", StringComparison.Ordinal));
        Assert.Single(_logs.Lines, l => l.Message.StartsWith($"Registered {Key} = ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_while_etcd_is_unreachable_still_returns_and_says_the_key_will_expire()
    {
        Start();
        await WaitUntilAsync("registered", () => _etcd.Get(Key) is not null);
        _etcd.Reachable = false;

        await StopAsync();

        Assert.Contains(_logs.Lines, l => l.Level == LogLevel.Warning && l.Message.StartsWith("Could not revoke lease 100: fake etcd: Unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refusal_ends_the_registration_with_the_reason()
    {
        _etcd.Rejecting = true;
        Start();

        var refused = await Assert.ThrowsAsync<RegistrationRejectedException>(() => _running!.WaitAsync(Deadline));
        Assert.Contains("permission denied", refused.Message);
    }

    [Fact]
    public async Task A_key_another_host_holds_is_never_overwritten_nor_deleted()
    {
        _etcd.PutOthers(Key, "theirs 10.0.0.9:80");
        Start();

        var refused = await Assert.ThrowsAsync<RegistrationKeyTakenException>(() => _running!.WaitAsync(Deadline));

        Assert.StartsWith($"{Key} already exists under another lease or none", refused.Message, StringComparison.Ordinal);
        Assert.Equal(("theirs 10.0.0.9:80", 0L), _etcd.Get(Key));
        Assert.Equal(1, _etcd.Count("revoke")); // the lease it took, which carries nothing
    }

    public async ValueTask DisposeAsync()
    {
        if (_running is { IsCompleted: false })
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private void Start() =>
        _running = Task.Run(() => new LeaseRegistration(_etcd, Key, Value, Ttl, _logs.CreateLogger("test")).RunAsync(_stop.Token));

    private async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running!.WaitAsync(Deadline);
    }

    private static Task WaitUntilAsync(string what, Func<bool> condition) => Poll.UntilAsync(condition, Deadline, () => what);
}
