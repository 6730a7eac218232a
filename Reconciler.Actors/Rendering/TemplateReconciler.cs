using System.Collections.Immutable;
using System.Diagnostics;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Output;
using Reconciler.Actors.Runtime;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Rendering;

/// <summary>
/// Render → compare with the live file → stage → check-cmd → replace, for one template.
/// Plain class: the renderer actor runs it off its mailbox thread, <c>--onetime</c> calls it directly.
/// Not thread-safe; one reconcile at a time. With <paramref name="keepDiffs"/> (debug logging)
/// each outcome that changes or would change dest carries the unified diff, unless the template's
/// <c>log-diff</c> is off.
/// </summary>
public sealed class TemplateReconciler(
    TemplateDefinition definition,
    CompiledTemplate template,
    AtomicFileWriter writer,
    CommandRunner commands,
    TimeSpan commandTimeout,
    bool keepDiffs = false)
{
    private readonly IReadOnlyDictionary<string, object?> _variables =
        definition.Variables.ToDictionary(kv => kv.Key, kv => (object?)kv.Value);

    // one admin socket command; HAProxy answers in microseconds, so this only bounds a wedged one
    private static readonly TimeSpan RuntimeSocketTimeout = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _commandTimeout = commandTimeout;
    private readonly RenderLimits _limits = definition.RenderLimits;
    private readonly bool _keepDiffs = keepDiffs;
    private readonly LiveFileCache _live = new(definition.Dest, definition.MaxOutputBytes);
    private readonly OwedReloadMarker _owedReload = new(definition.Dest);
    private int? _lastAppliedEntries;

    // Three buffers rotate, so a render allocates nothing for its output: the render target, the live content
    // (in _live) and the content live before the last write, for RestorePrevious.
    private ContentBuffer _rendered = new();
    private ContentBuffer _previous = new();
    private bool _hasPrevious;

    public TemplateDefinition Definition => definition;

    /// <summary>Applies server changes over HAProxy's admin socket; null unless the template sets runtime.type.</summary>
    public HaproxyRuntimeApplier? RuntimeApplier { get; } = definition.Runtime.IsHaproxy
        ? new HaproxyRuntimeApplier(new HaproxyRuntimeClient(definition.Runtime.Socket, RuntimeSocketTimeout), definition.Runtime.DrainTimeout)
        : null;

    /// <summary>reconciler.commands.timeout: how long check-cmd and reload-cmd may run.</summary>
    public TimeSpan CommandTimeout => _commandTimeout;

    /// <summary>What the template's lookupIP and lookupSRV ask.</summary>
    public DnsLookup Dns => template.Dns;

    /// <summary>The template text it was built from, to tell on a configuration reload whether it changed.</summary>
    public string SourceText { get; init; } = string.Empty;

    /// <summary>A file this template wrote was not reloaded successfully, by this process or one before it.</summary>
    public bool ReloadOwed => _owedReload.IsSet;

    /// <summary>Running work the daemon waits for (bounded) before it exits.</summary>
    public InFlightWork? InFlight { get; init; }

    /// <summary>Parses every template of the configuration (a broken one throws <see cref="TemplateException"/>).</summary>
    public static IReadOnlyList<TemplateReconciler> CreateAll(ReconcilerSettings settings, InFlightWork? inFlight = null, bool keepDiffs = false)
    {
        var writer = new AtomicFileWriter();
        var commands = new CommandRunner(CommandEnvironment.From(settings.CommandEnvironment));
        var dns = new DnsLookup(settings.DnsServers);
        return [.. settings.Templates.Select(t => Create(t, writer, commands, settings.CommandTimeout, inFlight, keepDiffs, dns))];
    }

    /// <summary>Deletes staged files a killed run left next to dest; returns how many.</summary>
    public int RemoveLeftovers() => writer.RemoveLeftovers(definition.Dest);

    /// <summary>
    /// True when this reconciler was built from the same definition, template text, command timeout, diff
    /// logging and DNS servers as <paramref name="other"/>: a configuration reload keeps it and its renderer.
    /// </summary>
    public bool IsSameAs(TemplateReconciler other) =>
        definition.IsSameAs(other.Definition)
        && SourceText == other.SourceText
        && _commandTimeout == other._commandTimeout
        && _keepDiffs == other._keepDiffs
        && Dns.IsSameAs(other.Dns);

    private static TemplateReconciler Create(
        TemplateDefinition definition,
        AtomicFileWriter writer,
        CommandRunner commands,
        TimeSpan commandTimeout,
        InFlightWork? inFlight,
        bool keepDiffs,
        DnsLookup dns)
    {
        var template = TemplateLoader.Load(definition.Src, definition.Syntax, definition.KeyPrefix, dns);
        return new TemplateReconciler(definition, template, writer, commands, commandTimeout, keepDiffs) { SourceText = template.SourceText, InFlight = inFlight };
    }

    /// <summary>Renders <paramref name="state"/>; when the output differs from dest, checks it and replaces dest.</summary>
    /// <param name="abandonRender">
    /// Stops the render only (shutdown does not wait for one): the outcome is then a failed render. A running check is
    /// left to <paramref name="cancellationToken"/>.
    /// </param>
    public Task<ReconcileOutcome> ReconcileAsync(DesiredState state, StateChange change, CancellationToken cancellationToken, CancellationToken abandonRender = default)
    {
        var work = ReconcileCoreAsync(state, change, cancellationToken, abandonRender);
        InFlight?.Track(work);
        return work;
    }

    /// <summary>The reload of what dest holds succeeded: nothing is owed any more.</summary>
    public void ReloadSucceeded() => _owedReload.Clear();

    /// <summary>Puts back the file that was live before the last write (after its reload failed); false when there is none.</summary>
    public bool RestorePrevious()
    {
        if (!_hasPrevious)
        {
            return false;
        }

        using var staged = writer.Stage(definition.Dest, _previous);
        writer.Commit(staged, definition.Mode, definition.Owner, definition.Group);
        _previous = _live.Wrote(_previous);
        _hasPrevious = false;
        return true;
    }

    private async Task<ReconcileOutcome> ReconcileCoreAsync(DesiredState state, StateChange change, CancellationToken cancellationToken, CancellationToken abandonRender)
    {
        var outcome = new ReconcileOutcome(definition.Name, definition.Dest, state.Revision, change, ReconcileStatus.Unchanged, 0, TimeSpan.Zero, null, null);
        var entries = CountEntries(state);
        if (HoldBackReason(entries) is { } violation)
        {
            return outcome with { Status = ReconcileStatus.HeldBack, Error = violation };
        }

        var watch = Stopwatch.StartNew();
        try
        {
            using var rendering = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, abandonRender);
            outcome = outcome with { Skipped = [.. template.Render(state, _variables, _rendered, _limits, rendering.Token)] };
        }
        catch (TemplateException e) when (e.HeldBack)
        {
            return outcome with { Status = ReconcileStatus.HeldBack, RenderTime = watch.Elapsed, Error = e.Message };
        }
        catch (TemplateException e)
        {
            return outcome with { Status = ReconcileStatus.RenderFailed, RenderTime = watch.Elapsed, Error = e.Message, WorthRetrying = !e.LimitExceeded };
        }
        catch (OperationCanceledException) when (abandonRender.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return outcome with { Status = ReconcileStatus.RenderFailed, RenderTime = watch.Elapsed, Error = "abandoned: shutting down", WorthRetrying = false };
        }

        outcome = outcome with { Bytes = (int)_rendered.Length, RenderTime = watch.Elapsed };
        try
        {
            var result = _live.Holds(_rendered) && HasConfiguredMode() ? outcome : await ReplaceAsync(outcome, cancellationToken);
            _lastAppliedEntries = result.Failed ? _lastAppliedEntries : entries;
            return result;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            return outcome with { Status = ReconcileStatus.WriteFailed, Error = e.Message };
        }
    }

    /// <summary>The output the template would produce now, for <c>render</c>.</summary>
    /// <param name="skipped">The keys the render left out.</param>
    public string Render(DesiredState state, CancellationToken cancellationToken, out IReadOnlyCollection<SkippedKey> skipped)
    {
        skipped = template.Render(state, _variables, _rendered, _limits, cancellationToken);
        return _rendered.ToString();
    }

    /// <summary>
    /// Renders <paramref name="state"/> and, when the output differs from dest, runs check-cmd on a
    /// copy in <paramref name="scratchFolder"/>; writes nothing near dest and reloads nothing.
    /// </summary>
    public async Task<DryRunOutcome> DryRunAsync(DesiredState state, string scratchFolder, CancellationToken cancellationToken)
    {
        try
        {
            template.Render(state, _variables, _rendered, _limits, cancellationToken);
        }
        catch (TemplateException e)
        {
            return new DryRunOutcome(definition.Name, definition.Dest, string.Empty, null, e.Message);
        }

        if (_live.Holds(_rendered))
        {
            return new DryRunOutcome(definition.Name, definition.Dest, string.Empty, null, null);
        }

        var diff = UnifiedDiff.Between(_live.Content?.ToString(), _rendered.ToString(), definition.Dest);
        var runtime = RuntimeChangeOf();
        if (definition.CheckCommand.Length == 0)
        {
            return new DryRunOutcome(definition.Name, definition.Dest, diff, null, null) { Runtime = runtime };
        }

        var copy = Path.Combine(scratchFolder, $"{definition.Name}-{Path.GetFileName(definition.Dest)}");
        await using (var stream = new FileStream(copy, FileMode.Create, FileAccess.Write))
        {
            _rendered.WriteTo(stream);
        }

        try
        {
            var check = WithheldUnlessLogged(await commands.RunAsync(CheckCommand.WithSource(definition.CheckCommand, copy), _commandTimeout, cancellationToken));
            return new DryRunOutcome(definition.Name, definition.Dest, diff, check, null) { Runtime = runtime };
        }
        finally
        {
            File.Delete(copy);
        }
    }

    private async Task<ReconcileOutcome> ReplaceAsync(ReconcileOutcome outcome, CancellationToken cancellationToken)
    {
        if (_keepDiffs && definition.LogDiff)
        {
            outcome = outcome with { Diff = UnifiedDiff.Between(_live.Content?.ToString(), _rendered.ToString(), definition.Dest) };
        }

        using var staged = writer.Stage(definition.Dest, _rendered);
        if (definition.CheckCommand.Length > 0)
        {
            // check-cmd reads the staged file from the page cache: the fsync runs meanwhile, not before it
            var durable = Task.Run(staged.FlushToDisk, CancellationToken.None);
            CommandResult check;
            try
            {
                check = WithheldUnlessLogged(await commands.RunAsync(CheckCommand.WithSource(definition.CheckCommand, staged.Path), _commandTimeout, cancellationToken));
            }
            finally
            {
                // the staged file is deleted (on dispose) or committed only once the fsync is done with it
                await durable.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            outcome = outcome with { Check = check };
            if (!check.Succeeded)
            {
                return outcome with { Status = ReconcileStatus.CheckFailed, Error = check.Summary };
            }

            await durable;
        }

        cancellationToken.ThrowIfCancellationRequested();
        outcome = outcome with { Runtime = RuntimeChangeOf() };
        var hadLive = _live.Content is not null;
        if (definition.ReloadCommand.Length > 0)
        {
            _owedReload.Set(); // before the rename: a crash right after it must still find the reload owed
        }

        writer.Commit(staged, definition.Mode, definition.Owner, definition.Group);

        // the content live until now becomes the previous one, and the old previous buffer the next render's
        var replaced = _live.Wrote(_rendered);
        _rendered = _previous;
        _previous = replaced;
        _hasPrevious = hadLive;
        return outcome with { Status = ReconcileStatus.Written };
    }

    /// <summary>A command's result as it may be logged: without its output for a file that holds secrets (log-diff = false).</summary>
    public CommandResult WithheldUnlessLogged(CommandResult result) => definition.LogDiff ? result : result.Withheld();

    /// <summary>The runtime-changeable pools of the live dest, to compare with the running HAProxy after a reload.</summary>
    public IReadOnlyDictionary<string, ImmutableArray<HaproxyServerLine>> LivePools() =>
        definition.Runtime.IsHaproxy && _live.Content is { } live
            ? HaproxyConfigDiff.PoolsIn(live.ToString(), definition.Runtime)
            : ImmutableDictionary<string, ImmutableArray<HaproxyServerLine>>.Empty;

    // compared with the file HAProxy was last brought in line with: the live dest (a reload owed is paid by the renderer first)
    private RuntimeChange? RuntimeChangeOf() =>
        definition.Runtime.IsHaproxy && _live.Content is { } live
            ? RuntimeChange.Between(live.ToString(), _rendered.ToString(), definition.Runtime)
            : null;

    /// <summary>
    /// Right content but another mode (a mode changed in the configuration, or a chmod behind our back) is out of
    /// sync too, as in confd: the file is written again with the configured mode.
    /// </summary>
    private bool HasConfiguredMode() => OperatingSystem.IsWindows() || _live.Mode == definition.Mode;

    /// <summary>Too many keys (max-keys, a flooded prefix) or too few (the shrink guard, a wiped one): why not to render.</summary>
    private string? HoldBackReason(int entries) =>
        entries > definition.MaxKeys
            ? $"max-keys: {entries} keys under {string.Join(", ", definition.Keys)}, more than {definition.MaxKeys}"
            : definition.ShrinkGuard.Violation(entries, _lastAppliedEntries);

    // a binary search per prefix in the state's sorted keys
    private int CountEntries(DesiredState state) => definition.Keys.Sum(prefix => state.CountUnder(prefix.Value));
}
