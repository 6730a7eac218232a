namespace Reconciler.Tests.Confd;

/// <summary>
/// A theory that needs confd: skipped as one test, with how to run it, where <see cref="ConfdLocation"/> finds none
/// (xunit then does not expand its data).
/// </summary>
public sealed class ConfdTheoryAttribute : TheoryAttribute
{
    public ConfdTheoryAttribute()
    {
        if (ConfdLocation.Binary is null)
        {
            Skip = ConfdLocation.NotFoundReason;
        }
    }
}
