namespace Reconciler.Actors.State;

/// <summary>
/// The debounce decision for one template: render once no change arrived for <c>quiet</c>,
/// but never hold a change longer than <c>max</c> after the first pending one (a steady trickle
/// must not starve rendering). Immutable; the owning actor keeps the current window.
/// </summary>
public sealed record DebounceWindow(TimeSpan Quiet, TimeSpan Max, DateTimeOffset? FirstChangeAt, DateTimeOffset LastChangeAt)
{
    public static DebounceWindow Idle(DebounceSettings settings) => new(settings.Quiet, settings.Max, null, default);

    public bool IsPending => FirstChangeAt is not null;

    /// <summary>When the pending change must be rendered.</summary>
    public DateTimeOffset DueAt =>
        FirstChangeAt is { } first
            ? Min(LastChangeAt + Quiet, first + Max)
            : throw new InvalidOperationException("nothing is pending");

    /// <summary>A change arrived at <paramref name="now"/>.</summary>
    public DebounceWindow Record(DateTimeOffset now) => this with { FirstChangeAt = FirstChangeAt ?? now, LastChangeAt = now };

    /// <summary>How long to wait from <paramref name="now"/>; zero means render now.</summary>
    public TimeSpan DelayFrom(DateTimeOffset now) => DueAt <= now ? TimeSpan.Zero : DueAt - now;

    /// <summary>The pending change was handed to the renderer.</summary>
    public DebounceWindow Flushed() => this with { FirstChangeAt = null };

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

public sealed record DebounceSettings(TimeSpan Quiet, TimeSpan Max);
