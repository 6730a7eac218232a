using System.Collections.Concurrent;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Journal;
using Reconciler.Actors.Output;
using Reconciler.Actors.Runtime;

namespace Reconciler.Actors.Applying;

/// <summary>
/// What every template's apply path shares, one per process: the command settings (changed on SIGHUP for every
/// template at once; the reloader, <c>Pipeline/ReloaderActor</c>, is told them in <see cref="Reloads"/>), one
/// <see cref="OwedReload"/> per dest (so the applier of a template changed on SIGHUP inherits its predecessor's debt),
/// and the work the daemon waits for before it exits.
/// </summary>
public sealed class ApplyServices : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, OwedReload> _owedReloads = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Func<CommandEnvironment, ICommandRunner> _runnerFor;
    private volatile ICommandRunner _commands;

    /// <param name="runnerFor">What runs the commands with an environment: <see cref="CommandRunner"/> unless a test simulates them.</param>
    public ApplyServices(ReconcilerSettings settings, InFlightWork? inFlight = null, Func<CommandEnvironment, ICommandRunner>? runnerFor = null)
        : this(settings.CommandTimeout, settings.CommandEnvironment, settings.MinReloadInterval, inFlight, runnerFor)
    {
        StateDir = settings.StateDir;
        Journal = settings.StateDir.Length > 0 ? new ApplyJournal(settings.StateDir, settings.JournalMaxEntries, settings.JournalMaxBytes) : null;
    }

    /// <param name="environment">reconciler.commands.environment (<see cref="CommandEnvironment.From"/>).</param>
    public ApplyServices(TimeSpan commandTimeout, IEnumerable<string> environment, TimeSpan minReloadInterval, InFlightWork? inFlight = null, Func<CommandEnvironment, ICommandRunner>? runnerFor = null)
    {
        InFlight = inFlight ?? new InFlightWork();
        _runnerFor = runnerFor ?? (variables => new CommandRunner(variables));
        _commands = _runnerFor(CommandEnvironment.From(environment));
        CommandTimeout = commandTimeout;
        MinReloadInterval = minReloadInterval;
    }

    /// <summary>reconciler.state-dir: where appliers keep their dest's slot assignments; empty = nowhere.</summary>
    public string StateDir { get; init; } = string.Empty;

    /// <summary>Where every apply is recorded (in state-dir); null = nowhere.</summary>
    public ApplyJournal? Journal { get; init; }

    public InFlightWork InFlight { get; }

    /// <summary>Cancelled when the services are disposed: work no apply waits for (a read-back after a reload) stops.</summary>
    public CancellationToken Shutdown => _shutdown.Token;

    /// <summary>Runs check-cmd (and, through the reloader, reload-cmd) with reconciler.commands.environment.</summary>
    public ICommandRunner Commands => _commands;

    /// <summary>The runtime API of a template, when a test simulates HAProxy's; null = the real admin socket's.</summary>
    internal Func<TemplateDefinition, IHaproxyRuntimeApi>? RuntimeApis { get; init; }

    /// <summary>reconciler.commands.timeout.</summary>
    public TimeSpan CommandTimeout { get; private set; }

    /// <summary>reconciler.commands.min-reload-interval.</summary>
    public TimeSpan MinReloadInterval { get; private set; }

    /// <summary>How the reloader runs reload commands, as configured now.</summary>
    public ReloaderSettings Reloads => ReloaderSettings.Of(_commands, CommandTimeout, MinReloadInterval);

    /// <summary>A configuration reload's command settings apply from the next command on.</summary>
    public void Configure(ReconcilerSettings settings)
    {
        _commands = _runnerFor(CommandEnvironment.From(settings.CommandEnvironment));
        CommandTimeout = settings.CommandTimeout;
        MinReloadInterval = settings.MinReloadInterval;
    }

    public OwedReload OwedReloadFor(string dest) => _owedReloads.GetOrAdd(Path.GetFullPath(dest), path => new OwedReload(path, StateDir));

    public async ValueTask DisposeAsync() => await _shutdown.CancelAsync();
}
