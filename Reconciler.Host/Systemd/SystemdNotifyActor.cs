using System.Globalization;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Health;
using Reconciler.Actors.Pipeline;

namespace Reconciler.Host.Systemd;

/// <summary>
/// Tells systemd how the daemon is doing: <c>READY=1</c> once every template is in sync for the
/// first time (so units ordered after ours find their config in place), <c>STATUS=</c> with the
/// last applied revision, <c>RELOADING=1</c>/<c>READY=1</c> around a configuration reload,
/// <c>WATCHDOG=1</c> only while the pipeline answers a probe, and <c>STOPPING=1</c> on shutdown.
/// </summary>
internal sealed class SystemdNotifyActor : ReceiveActor, IWithTimers
{
    private const string WatchdogTimer = "watchdog";

    private readonly SystemdNotifier _notifier;
    private readonly IActorRef _status;
    private readonly IActorRef _pipeline;
    private readonly ILogger _logger;
    private string _lastStatus = string.Empty;

    public SystemdNotifyActor(SystemdNotifier notifier, IActorRef status, IActorRef pipeline, ILogger logger)
    {
        _notifier = notifier;
        _status = status;
        _pipeline = pipeline;
        _logger = logger;
        Starting();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SystemdNotifier notifier, IActorRef status, IActorRef pipeline, ILogger logger) =>
        Akka.Actor.Props.Create(() => new SystemdNotifyActor(notifier, status, pipeline, logger));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(PipelineStatus));
        Context.System.EventStream.Subscribe(Self, typeof(ConfigurationReloading));
        Context.System.EventStream.Subscribe(Self, typeof(ConfigurationReloaded));
        // covers whatever was published before we subscribed; later publications arrive after this reply
        _status.Tell(GetPipelineStatus.Instance);
        if (_notifier.WatchdogInterval is { } interval)
        {
            Timers.StartPeriodicTimer(WatchdogTimer, WatchdogTick.Instance, TimeSpan.Zero, interval);
        }
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Starting()
    {
        Receive<PipelineStatus>(OnStartingStatus);
        Receive<ConfigurationReloading>(_ => { }); // not READY yet: systemd is still waiting for the first READY=1
        Receive<ConfigurationReloaded>(_ => { });
        Watchdog();
    }

    private void Running()
    {
        Receive<PipelineStatus>(status => Send(StatusLine(status)));
        Receive<ConfigurationReloading>(_ => _notifier.Notify($"RELOADING=1\nMONOTONIC_USEC={MonotonicClock.Microseconds}"));
        Receive<ConfigurationReloaded>(OnReloaded);
        Watchdog();
    }

    private void Watchdog()
    {
        Receive<WatchdogTick>(_ => Probe());
        Receive<PipelineProbed>(OnProbed);
        Receive<Status.Failure>(failure => _logger.LogWarning(
            "The actor pipeline did not answer the watchdog probe ({Reason}); withholding WATCHDOG=1", failure.Cause.Message));
    }

    private void OnProbed(PipelineProbed probed)
    {
        if (probed.Alive)
        {
            _notifier.Notify("WATCHDOG=1");
            return;
        }

        _logger.LogWarning(
            "The watchdog probe found actors that did not answer: {Actors}; withholding WATCHDOG=1",
            string.Join(", ", probed.Unresponsive));
    }

    private void OnStartingStatus(PipelineStatus status)
    {
        if (!status.Healthy)
        {
            Send(StatusLine(status));
            return;
        }

        _lastStatus = StatusLine(status);
        _notifier.Notify($"READY=1\nSTATUS={_lastStatus}");
        _logger.LogInformation("Every template is in sync at revision {Revision}; told systemd READY", status.Revision);
        Become(Running);
    }

    private void OnReloaded(ConfigurationReloaded reloaded)
    {
        _lastStatus = reloaded.Succeeded ? "configuration reloaded" : "configuration reload rejected, previous configuration kept";
        _notifier.Notify($"READY=1\nSTATUS={_lastStatus}");
        _status.Tell(GetPipelineStatus.Instance);
    }

    /// <summary>The pipeline's actors get most of the interval to answer; the root the rest, to reply with who did not.</summary>
    private void Probe()
    {
        var interval = _notifier.WatchdogInterval!.Value;
        _pipeline.Ask<PipelineProbed>(new ProbePipeline(interval * 0.8), interval).PipeTo(Self);
    }

    private void Send(string status)
    {
        if (status != _lastStatus)
        {
            _lastStatus = status;
            _notifier.Notify($"STATUS={status}");
        }
    }

    /// <summary>One line for <c>systemctl status</c>, e.g. <c>revision 1042 applied 2025-06-01T12:00:00Z, 2/2 templates in sync</c>.</summary>
    private static string StatusLine(PipelineStatus status)
    {
        var parts = new List<string>();
        if (!status.Backend.Reachable)
        {
            parts.Add($"{status.Backend.Description} unreachable: {status.Backend.LastError}");
        }

        parts.Add(status.RevisionTime is { } applied
            ? $"revision {status.Revision} applied {applied.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}"
            : "waiting for the first read of the keys");
        var templates = status.Templates.Values;
        parts.Add($"{templates.Count(t => t.Healthy)}/{templates.Count()} templates in sync");
        parts.AddRange(templates.Where(t => t.LastError is not null && !t.Healthy).Select(t => $"{t.Name}: {t.LastError}"));
        if (templates.Where(t => t.LastApply is { How: not "runtime" }).MaxBy(t => t.LastApply!.At) is { LastApply: { } reload } reloaded)
        {
            var why = reload.Why is { Length: > 80 } longer ? longer[..80] + "..." : reload.Why;
            parts.Add($"last {reload.How} {reloaded.Name} {reload.At.UtcDateTime.ToString("HH:mm:ssZ", CultureInfo.InvariantCulture)}: {why}");
        }

        // a newline would start a new KEY=VALUE pair
        return string.Join(", ", parts).ReplaceLineEndings(" ");
    }

    private sealed record WatchdogTick
    {
        public static readonly WatchdogTick Instance = new();
    }
}
