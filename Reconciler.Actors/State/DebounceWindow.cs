namespace Reconciler.Actors.State;

/// <summary>
/// The debounce decision for one template: render once no change arrived for <c>quiet</c>,
/// but never hold a change longer than <c>max</c> after the first pending one (a steady trickle
/// must not starve rendering). Times are readings of a monotonic clock (elapsed since some fixed
/// point), so a wall-clock step neither delays nor hurries a render. Immutable; the owning actor
/// keeps the current window.
/// </summary>
internal sealed record DebounceWindow(TimeSpan Quiet, TimeSpan Max, TimeSpan? FirstChangeAt, TimeSpan LastChangeAt)
{
    public static DebounceWindow Idle(DebounceSettings settings) => new(settings.Quiet, settings.Max, null, default);

    public bool IsPending => FirstChangeAt is not null;

    /// <summary>When the pending change must be rendered.</summary>
    public TimeSpan DueAt =>
        FirstChangeAt is { } first
            ? Min(LastChangeAt + Quiet, first + Max)
            : throw new InvalidOperationException("nothing is pending");

    /// <summary>A change arrived at <paramref name="now"/>.</summary>
    public DebounceWindow Record(TimeSpan now) => this with { FirstChangeAt = FirstChangeAt ?? now, LastChangeAt = now };

    /// <summary>How long to wait from <paramref name="now"/>; zero means render now. Never more than <c>max</c>.</summary>
    public TimeSpan DelayFrom(TimeSpan now) => DueAt <= now ? TimeSpan.Zero : Min(DueAt - now, Max);

    /// <summary>The pending change was handed to the renderer.</summary>
    public DebounceWindow Flushed() => this with { FirstChangeAt = null };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

public sealed record DebounceSettings(TimeSpan Quiet, TimeSpan Max);
