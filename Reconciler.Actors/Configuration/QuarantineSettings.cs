namespace Reconciler.Actors.Configuration;

/// <summary>
/// A template's quarantine (<c>quarantine { enabled, max-checks }</c>): when check-cmd refuses a render, the keys
/// changed since the last good file that cause it are found with at most <see cref="MaxChecks"/> more checks and left
/// out, so one bad value does not hold back every other change.
/// </summary>
public sealed record QuarantineSettings(bool Enabled, int MaxChecks)
{
    public static readonly QuarantineSettings Default = new(true, 20);

    public static readonly QuarantineSettings Off = new(false, 0);
}
