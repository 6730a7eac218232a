using System.Collections.Concurrent;
using System.Diagnostics;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Registration;

namespace Reconciler.Tests.Registration;

/// <summary>An in-memory etcd for leases: keys die with their lease; it can be made unreachable, forgetful or hostile.</summary>
public sealed class FakeLeaseClient : ILeaseClient
{
    private readonly object _gate = new();
    private readonly Dictionary<long, TimeSpan> _leases = [];
    private readonly Dictionary<string, (string Value, long Lease)> _keys = [];
    private readonly ConcurrentQueue<(string Call, TimeSpan At)> _calls = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _nextLease = 0x100;

    /// <summary>false: every call fails as if etcd were down.</summary>
    private volatile bool _reachable = true;
    private volatile bool _rejecting;

    /// <summary>false: every call fails as if etcd were down.</summary>
    public bool Reachable { get => _reachable; set => _reachable = value; }

    /// <summary>true: every call is refused for good, as with bad credentials.</summary>
    public bool Rejecting { get => _rejecting; set => _rejecting = value; }

    public string Description => "fake etcd";

    /// <summary>Every call so far ("grant", "put", "keepalive", "revoke", or "unreachable") with when it came.</summary>
    public IReadOnlyList<(string Call, TimeSpan At)> Calls => [.. _calls];

    public int Count(string call) => Calls.Count(c => c.Call == call);

    public (string Value, long Lease)? Get(string key)
    {
        lock (_gate)
        {
            return _keys.TryGetValue(key, out var entry) ? entry : null;
        }
    }

    /// <summary>The TTL the lease was granted with; null for a lease that does not exist (any more).</summary>
    public TimeSpan? TtlOf(long lease)
    {
        lock (_gate)
        {
            return _leases.TryGetValue(lease, out var ttl) ? ttl : null;
        }
    }

    /// <summary>Every lease expires now (etcd was down longer than the TTL and lost them, say), and its keys with it.</summary>
    public void ExpireAll()
    {
        lock (_gate)
        {
            foreach (var lease in _leases.Keys.ToList())
            {
                Drop(lease);
            }
        }
    }

    public Task<Lease> GrantAsync(TimeSpan ttl, CancellationToken cancellationToken) => Call("grant", () =>
    {
        var lease = new Lease(_nextLease++, ttl);
        _leases[lease.Id] = ttl;
        return lease;
    });

    public Task<bool> PutUnlessTakenAsync(string key, string value, long leaseId, CancellationToken cancellationToken) => Call("put", () =>
    {
        if (!_leases.ContainsKey(leaseId))
        {
            throw new BackendUnavailableException("put: requested lease not found");
        }

        if (_keys.TryGetValue(key, out var held) && held.Lease != leaseId)
        {
            return false;
        }

        _keys[key] = (value, leaseId);
        return true;
    });

    public Task PutAsync(IReadOnlyList<KeyValuePair<string, string>> entries, long leaseId, CancellationToken cancellationToken) => Call("put", () =>
    {
        if (!_leases.ContainsKey(leaseId))
        {
            throw new BackendUnavailableException("put: requested lease not found");
        }

        foreach (var (key, value) in entries)
        {
            _keys[key] = (value, leaseId);
        }

        return true;
    });

    /// <summary>Another host's put of <paramref name="key"/>, without a lease.</summary>
    public void PutOthers(string key, string value)
    {
        lock (_gate)
        {
            _keys[key] = (value, 0);
        }
    }

    public Task<TimeSpan> KeepAliveAsync(long leaseId, CancellationToken cancellationToken) =>
        Call("keepalive", () => _leases.GetValueOrDefault(leaseId));

    public Task RevokeAsync(long leaseId, CancellationToken cancellationToken) => Call("revoke", () => Drop(leaseId));

    public void Dispose()
    {
    }

    private Task<T> Call<T>(string name, Func<T> body)
    {
        lock (_gate)
        {
            if (Rejecting)
            {
                return Task.FromException<T>(new RegistrationRejectedException("fake etcd: permission denied"));
            }

            if (!Reachable)
            {
                _calls.Enqueue(("unreachable", _clock.Elapsed));
                return Task.FromException<T>(new BackendUnavailableException("fake etcd: Unavailable"));
            }

            try
            {
                var result = body();
                _calls.Enqueue((name, _clock.Elapsed));
                return Task.FromResult(result);
            }
            catch (BackendUnavailableException e)
            {
                return Task.FromException<T>(e);
            }
        }
    }

    private bool Drop(long lease)
    {
        foreach (var key in _keys.Where(k => k.Value.Lease == lease).Select(k => k.Key).ToList())
        {
            _keys.Remove(key);
        }

        return _leases.Remove(lease);
    }
}
