using System.Reflection;
using System.Text.Json;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Health;
using Reconciler.Actors.Registration;

namespace Reconciler.Actors.Fleet;

/// <summary>
/// Puts this node's <see cref="FleetRecord"/> of each template (<see cref="TemplateApplied"/> on the event stream) at
/// <c>&lt;fleet.prefix&gt;/&lt;node&gt;/&lt;template&gt;</c>, all under one lease of fleet.ttl renewed every third of
/// it, so a daemon that dies drops out within the ttl. One call to etcd at a time; records arriving meanwhile replace
/// the ones not yet put, so an outage costs one put per template when etcd answers again, never a queue, and never
/// an apply's time (the applies do not wait for it). A lease that survived an etcd restart is kept, else a new one
/// is taken and every record put again. Each change between working and not is logged once.
/// </summary>
public sealed partial class FleetPublisherActor : ReceiveActor, IWithTimers, IWithStash
{
    private const string RenewTimer = "renew";
    private const string RetryTimer = "retry";
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RevokeTimeout = TimeSpan.FromSeconds(1);

    private readonly ILeaseClient _etcd;
    private readonly FleetSettings _fleet;
    private readonly ILogger _logger;
    private readonly string _version;
    private readonly Dictionary<string, FleetRecord> _records = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unwritten = new(StringComparer.Ordinal);

    // the lease the records live under; null while it is not known to be alive (then the last one is tried first)
    private Lease? _lease;
    private long _lastLease;
    private bool _renewDue;
    private bool _working;
    private bool _failureLogged;

    public FleetPublisherActor(ILeaseClient etcd, FleetSettings fleet, ILogger logger)
    {
        _etcd = etcd;
        _fleet = fleet;
        _logger = logger;
        _version = typeof(FleetRecord).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        Idle();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    /// <summary>What it listens to; subscribe it before starting the pipeline.</summary>
    public static IReadOnlyList<Type> Topics { get; } = [typeof(TemplateApplied)];

    private TimeSpan RenewInterval => _fleet.Ttl / 3;

    private TimeSpan RetryDelay => RenewInterval < MaxRetryDelay ? RenewInterval : MaxRetryDelay;

    /// <param name="etcd">Owned from here on: disposed when the actor stops.</param>
    public static Props Props(ILeaseClient etcd, FleetSettings fleet, ILogger logger) =>
        Akka.Actor.Props.Create(() => new FleetPublisherActor(etcd, fleet, logger));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer(RenewTimer, Renew.Instance, RenewInterval);
        Publish(working: false, "no apply to publish yet");
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _etcd.Dispose();
    }

    private void Idle()
    {
        Receive<TemplateApplied>(applied =>
        {
            Keep(applied);
            Next();
        });
        Receive<Renew>(_ =>
        {
            _renewDue = true;
            Next();
        });
        Receive<Retry>(_ => Next());
        Receive<StopPublishing>(_ => StopPublishing(Sender));
    }

    private void Busy()
    {
        Receive<TemplateApplied>(Keep);
        Receive<Renew>(_ => _renewDue = true);
        Receive<Retry>(_ => { });
        Receive<Established>(established =>
        {
            _lease = established.Lease;
            _lastLease = established.Lease.Id;
            _unwritten.UnionWith(_records.Keys); // a new lease has none of them; a kept one, maybe not all
            BackToIdle();
        });
        Receive<Renewed>(renewed =>
        {
            _renewDue = false;
            if (renewed.Ttl <= TimeSpan.Zero)
            {
                LeaseExpired(_logger, _lease!.Id);
                _lease = null;
            }

            BackToIdle();
        });
        Receive<Put>(put =>
        {
            foreach (var record in put.Records)
            {
                // a newer record that came meanwhile is still to be put
                if (_records.GetValueOrDefault(record.Template) == record)
                {
                    _unwritten.Remove(record.Template);
                }
            }

            Working();
            BackToIdle();
        });
        Receive<Status.Failure>(failure =>
        {
            OnFailure(failure.Cause);
            Become(Idle);
            Stash.UnstashAll();
            Timers.StartSingleTimer(RetryTimer, Retry.Instance, RetryDelay);
        });
        Receive<StopPublishing>(_ => Stash.Stash());
    }

    private void Stopping() => ReceiveAny(_ => { });

    private void Keep(TemplateApplied applied)
    {
        _records[applied.Template] = new FleetRecord(
            _fleet.Node, applied.Template, applied.Revision, applied.Sha256, FleetWords.Of(applied.Outcome), FleetWords.Of(applied.How), applied.AppliedAt, _version);
        _unwritten.Add(applied.Template);
    }

    private void BackToIdle()
    {
        Become(Idle);
        Stash.UnstashAll();
        Next();
    }

    /// <summary>The one call to make next, if any: a lease first, then its renewal, then the records not put yet.</summary>
    private void Next()
    {
        if (_records.Count == 0)
        {
            return;
        }

        if (_lease is null)
        {
            EstablishAsync(_lastLease).PipeTo(Self, success: lease => new Established(lease));
        }
        else if (_renewDue)
        {
            _etcd.KeepAliveAsync(_lease.Id, CancellationToken.None).PipeTo(Self, success: ttl => new Renewed(ttl));
        }
        else if (_unwritten.Count > 0)
        {
            var records = _unwritten.Select(template => _records[template]).ToList();
            var entries = records.Select(r => KeyValuePair.Create(_fleet.KeyOf(r.Template), JsonSerializer.Serialize(r, FleetJson.Default.FleetRecord))).ToList();
            _etcd.PutAsync(entries, _lease.Id, CancellationToken.None).PipeTo(Self, success: () => new Put(records));
        }
        else
        {
            return;
        }

        Become(Busy);
    }

    /// <summary>etcd keeps leases across a restart: the last one, if it is still alive, keeps its records' keys.</summary>
    private async Task<Lease> EstablishAsync(long lastLease)
    {
        if (lastLease != 0 && await _etcd.KeepAliveAsync(lastLease, CancellationToken.None) is { } ttl && ttl > TimeSpan.Zero)
        {
            return new Lease(lastLease, ttl);
        }

        return await _etcd.GrantAsync(_fleet.Ttl, CancellationToken.None);
    }

    private void Working()
    {
        if (_working)
        {
            return;
        }

        if (_failureLogged)
        {
            PublishingAgain(_logger, _etcd.Description, _lease!.Id);
        }
        else
        {
            Publishing(_logger, $"{_fleet.Prefix}/{_fleet.Node}/", _etcd.Description, _lease!.Id, (long)_fleet.Ttl.TotalSeconds);
        }

        _failureLogged = false;
        Publish(working: true, null);
    }

    private void OnFailure(Exception cause)
    {
        var reason = cause is BackendUnavailableException or RegistrationRejectedException ? cause.Message : $"{cause.GetType().Name}: {cause.Message}";
        _lease = null; // not known to be alive: the next call checks it first
        _unwritten.UnionWith(_records.Keys);
        if (!_failureLogged)
        {
            CannotPublish(_logger, reason, (long)RetryDelay.TotalMilliseconds);
            _failureLogged = true;
        }
        else
        {
            StillCannotPublish(_logger, reason);
        }

        Publish(working: false, reason);
    }

    private void Publish(bool working, string? error)
    {
        _working = working;
        Context.System.EventStream.Publish(new FleetHealth(working, _lastLease, error, Context.System.Scheduler.Now));
    }

    /// <summary>On the way out the lease is revoked, so the records go at once rather than after the ttl.</summary>
    private void StopPublishing(IActorRef asker)
    {
        Become(Stopping);
        Timers.CancelAll();
        if (_lease is null)
        {
            asker.Tell(PublishingStopped.Instance);
            return;
        }

        RevokeAsync(_lease.Id).PipeTo(asker, success: () => PublishingStopped.Instance, failure: _ => PublishingStopped.Instance);
    }

    private async Task RevokeAsync(long lease)
    {
        using var timeout = new CancellationTokenSource(RevokeTimeout);
        try
        {
            await _etcd.RevokeAsync(lease, timeout.Token);
        }
        catch (Exception e) when (e is BackendUnavailableException or RegistrationRejectedException or OperationCanceledException)
        {
            RevokeFailed(_logger, lease, (long)_fleet.Ttl.TotalSeconds);
        }
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "Publishing what this node applied at {Prefix} in {Backend} under lease {Lease:x} (ttl {TtlSeconds}s)")]
    private static partial void Publishing(ILogger logger, string prefix, string backend, long lease, long ttlSeconds);

    [LoggerMessage(EventId = 61, Level = LogLevel.Information, Message = "Publishing the fleet records again in {Backend} under lease {Lease:x}")]
    private static partial void PublishingAgain(ILogger logger, string backend, long lease);

    [LoggerMessage(EventId = 62, Level = LogLevel.Warning, Message = "Cannot publish the fleet records: {Reason}; applies go on, and the latest record of each template is put when etcd answers (retrying every {RetryMs}ms)")]
    private static partial void CannotPublish(ILogger logger, string reason, long retryMs);

    [LoggerMessage(EventId = 63, Level = LogLevel.Debug, Message = "Still cannot publish the fleet records: {Reason}")]
    private static partial void StillCannotPublish(ILogger logger, string reason);

    [LoggerMessage(EventId = 64, Level = LogLevel.Warning, Message = "The fleet lease {Lease:x} expired (not renewed in time); taking a new one")]
    private static partial void LeaseExpired(ILogger logger, long lease);

    [LoggerMessage(EventId = 65, Level = LogLevel.Warning, Message = "Could not revoke the fleet lease {Lease:x}; this node's records disappear when it expires, within {TtlSeconds}s")]
    private static partial void RevokeFailed(ILogger logger, long lease, long ttlSeconds);

    private sealed record Renew
    {
        public static readonly Renew Instance = new();
    }

    private sealed record Retry
    {
        public static readonly Retry Instance = new();
    }

    private sealed record Established(Lease Lease);

    private sealed record Renewed(TimeSpan Ttl);

    private sealed record Put(IReadOnlyList<FleetRecord> Records);
}
