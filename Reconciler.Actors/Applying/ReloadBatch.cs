using System.Collections.Immutable;
using Reconciler.Actors.Configuration;

namespace Reconciler.Actors.Applying;

/// <summary>
/// Templates that share one reload command and were handed the same change together (several files for one
/// HAProxy): their reload runs once, after every one of them has been checked and written or has said it needs
/// none (consul-template renders every template, then runs the deduplicated commands). Each template arrives
/// exactly once — to reload or not — and the batch is settled when all have, or after <paramref name="patience"/>
/// (a template whose renderer died must not hold the others' reload forever).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "_patience is disposed when the batch settles; a batch settled by patience has no timer left")]
public sealed class ReloadBatch
{
    private readonly object _gate = new();
    private readonly HashSet<string> _outstanding;
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _patience;

    public ReloadBatch(IEnumerable<string> templates, TimeSpan patience, TimeProvider? time = null)
    {
        _outstanding = [.. templates];
        Templates = [.. _outstanding];
        _patience = new CancellationTokenSource(patience, time ?? TimeProvider.System);
        _patience.Token.Register(() => _settled.TrySetResult());
        SettleIfDone();
    }

    public ImmutableArray<string> Templates { get; }

    /// <summary>
    /// One batch for each reload command that two or more of <paramref name="templates"/> share, by template name; a
    /// template alone with its command (or without one) has none.
    /// </summary>
    public static IReadOnlyDictionary<string, ReloadBatch> For(IEnumerable<TemplateDefinition> templates, TimeSpan patience) =>
        templates
            .Where(t => t.ReloadCommand.Length > 0)
            .GroupBy(t => t.ReloadCommand, StringComparer.Ordinal)
            .Where(group => group.Count() > 1)
            .SelectMany(group =>
            {
                var batch = new ReloadBatch(group.Select(t => t.Name), patience);
                return group.Select(t => KeyValuePair.Create(t.Name, batch));
            })
            .ToDictionary(StringComparer.Ordinal);

    /// <summary>How long a batch waits for a template that does not arrive: a render and a check at their limits, a kill, and a margin.</summary>
    public static TimeSpan PatienceFor(ReconcilerSettings settings) =>
        settings.Templates.Select(t => t.RenderTimeout).DefaultIfEmpty(TimeSpan.Zero).Max() + (2 * settings.CommandTimeout) + TimeSpan.FromSeconds(10);

    /// <summary>Completes once every template arrived, or patience ran out.</summary>
    public Task Settled => _settled.Task;

    public bool IsSettled => _settled.Task.IsCompleted;

    /// <summary><paramref name="template"/> is done with its file, with or without a reload to join; a second arrival is no news.</summary>
    public void Arrive(string template)
    {
        lock (_gate)
        {
            _outstanding.Remove(template);
            SettleIfDone();
        }
    }

    private void SettleIfDone()
    {
        if (_outstanding.Count == 0 && _settled.TrySetResult())
        {
            _patience.Dispose();
        }
    }
}
