using Microsoft.Extensions.Logging;
using Reconciler.Actors.Backends;

namespace Reconciler.Actors.Registration;

/// <summary>
/// Keeps one key in etcd for as long as <see cref="RunAsync"/> runs: the key is put under a lease with a TTL,
/// the lease is renewed every third of the TTL, and stopping revokes it, so the key goes at once. If the process
/// dies, nobody renews and etcd deletes the key when the TTL runs out. When etcd cannot be reached the key is
/// re-established (the same lease if it survived, else a new one) as soon as it can; each change between
/// "registered" and "etcd unreachable" is logged once, the retries in between only at debug level. A key that exists
/// and is not this registration's is never overwritten (<see cref="RegistrationKeyTakenException"/>); and since
/// revoking the lease deletes only the keys that still carry it, stopping never deletes a key another host put since.
/// </summary>
public sealed partial class LeaseRegistration(ILeaseClient etcd, string key, string value, TimeSpan ttl, ILogger logger)
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long revoking may take on the way out before the key is left to expire.</summary>
    private static readonly TimeSpan RevokeTimeout = TimeSpan.FromSeconds(1);

    private Lease? _lease;
    private bool _registered;
    private bool _everRegistered;
    private bool _outageLogged;

    /// <summary>A third of the TTL: two renewals may fail before the key expires.</summary>
    public TimeSpan RenewInterval => ttl / 3;

    private TimeSpan RetryDelay => RenewInterval < MaxRetryDelay ? RenewInterval : MaxRetryDelay;

    /// <summary>Registers, keeps the registration alive until <paramref name="stop"/> is cancelled, then revokes it.</summary>
    /// <exception cref="RegistrationRejectedException">etcd refused for good (credentials, permissions); nothing is left registered.</exception>
    /// <exception cref="RegistrationKeyTakenException">The key exists and is not this registration's; it is left as it is.</exception>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await StepAsync(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            await RevokeAsync();
        }
    }

    private async Task StepAsync(CancellationToken stop)
    {
        try
        {
            if (!_registered)
            {
                await EstablishAsync(stop);
                return;
            }

            await Task.Delay(RenewInterval, stop);
            if (await etcd.KeepAliveAsync(_lease!.Id, stop) <= TimeSpan.Zero)
            {
                LeaseExpired(logger, _lease.Id, key);
                _lease = null;
                _registered = false;
            }
        }
        catch (BackendUnavailableException e) when (!stop.IsCancellationRequested)
        {
            OnUnreachable(e);
            await Task.Delay(RetryDelay, stop);
        }
    }

    /// <summary>Keeps the lease if it survived (etcd restarts keep leases), else takes a new one; then puts the key.</summary>
    private async Task EstablishAsync(CancellationToken stop)
    {
        if (_lease is null || await etcd.KeepAliveAsync(_lease.Id, stop) <= TimeSpan.Zero)
        {
            _lease = await etcd.GrantAsync(ttl, stop);
        }

        if (!await etcd.PutUnlessTakenAsync(key, value, _lease.Id, stop))
        {
            throw new RegistrationKeyTakenException(
                $"{key} already exists under another lease or none (another host's, or this host's previous run until its lease expires); it is left as it is");
        }

        _registered = true;
        if (_everRegistered)
        {
            RegisteredAgain(logger, key, etcd.Description, _lease.Id);
        }
        else
        {
            Registered(logger, key, value, etcd.Description, _lease.Id, (long)_lease.Ttl.TotalSeconds, (long)RenewInterval.TotalMilliseconds);
        }

        _everRegistered = true;
        _outageLogged = false;
    }

    private void OnUnreachable(BackendUnavailableException e)
    {
        if (_outageLogged)
        {
            StillUnreachable(logger, e.Message);
        }
        else if (_registered)
        {
            LostEtcd(logger, e.Message, key, (long)ttl.TotalSeconds, (long)RetryDelay.TotalMilliseconds);
        }
        else
        {
            CannotRegister(logger, key, e.Message, (long)RetryDelay.TotalMilliseconds);
        }

        _registered = false;
        _outageLogged = true;
    }

    private async Task RevokeAsync()
    {
        if (_lease is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(RevokeTimeout);
        try
        {
            await etcd.RevokeAsync(_lease.Id, timeout.Token);
            Deregistered(logger, key, _lease.Id);
        }
        catch (Exception e) when (e is BackendUnavailableException or RegistrationRejectedException or OperationCanceledException)
        {
            RevokeFailed(logger, _lease.Id, e is OperationCanceledException ? $"no answer within {RevokeTimeout.TotalSeconds:0}s" : e.Message, key, (long)_lease.Ttl.TotalSeconds);
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Registered {Key} = \"{Value}\" in {Backend} under lease {Lease:x} (ttl {TtlSeconds}s), renewing every {RenewMs}ms")]
    private static partial void Registered(ILogger logger, string key, string value, string backend, long lease, long ttlSeconds, long renewMs);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Registered {Key} again in {Backend} under lease {Lease:x}")]
    private static partial void RegisteredAgain(ILogger logger, string key, string backend, long lease);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "Lost etcd: {Reason}; {Key} expires {TtlSeconds}s after the last renewal unless etcd answers again; retrying every {RetryMs}ms")]
    private static partial void LostEtcd(ILogger logger, string reason, string key, long ttlSeconds, long retryMs);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "Cannot register {Key}: {Reason}; retrying every {RetryMs}ms")]
    private static partial void CannotRegister(ILogger logger, string key, string reason, long retryMs);

    [LoggerMessage(EventId = 24, Level = LogLevel.Debug, Message = "etcd still unreachable: {Reason}")]
    private static partial void StillUnreachable(ILogger logger, string reason);

    [LoggerMessage(EventId = 25, Level = LogLevel.Warning, Message = "Lease {Lease:x} expired (not renewed in time); registering {Key} again")]
    private static partial void LeaseExpired(ILogger logger, long lease, string key);

    [LoggerMessage(EventId = 26, Level = LogLevel.Information, Message = "Deregistered {Key}: lease {Lease:x} revoked")]
    private static partial void Deregistered(ILogger logger, string key, long lease);

    [LoggerMessage(EventId = 27, Level = LogLevel.Warning, Message = "Could not revoke lease {Lease:x}: {Reason}; {Key} disappears when the lease expires, within {TtlSeconds}s")]
    private static partial void RevokeFailed(ILogger logger, long lease, string reason, string key, long ttlSeconds);
}
