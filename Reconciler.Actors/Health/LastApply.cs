using Reconciler.Actors.Applying;

namespace Reconciler.Actors.Health;

/// <summary>
/// The last time a template's service was brought to a new file: <paramref name="How"/> (<c>runtime</c> or
/// <c>reload</c>, <c>reload-failed</c>), <paramref name="Why"/> (a reload's reason), <paramref name="At"/>.
/// </summary>
public sealed record LastApply(string How, string? Why, DateTimeOffset At)
{
    /// <summary>Null when <paramref name="reconciled"/> neither reloaded nor changed anything at runtime.</summary>
    public static LastApply? Of(TemplateReconciled reconciled, DateTimeOffset now) => reconciled switch
    {
        { Runtime.Applied: true } => new LastApply("runtime", null, now),
        { Reload: { } reload } => new LastApply(reload.Succeeded ? "reload" : "reload-failed", reconciled.ReloadReason?.Why, now),
        _ => null,
    };
}
