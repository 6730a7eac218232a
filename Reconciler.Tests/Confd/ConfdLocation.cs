using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Confd;

/// <summary>
/// Where the confd differential tests find confd: <c>$CONFD</c> when set (then it must be there: .ci/run sets it, so
/// that CI never skips them), else <c>../shared/tools/confd</c> beside the repository, else nowhere, and they skip.
/// </summary>
public static class ConfdLocation
{
    public const string NotFoundReason = "confd not found: set CONFD=/path/to/confd or put it at ../shared/tools/confd (see docs/dev/testing.md)";

    /// <summary>confd's absolute path; null when it is not configured and not beside the repository.</summary>
    public static string? Binary { get; } = Find();

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("CONFD") is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        var beside = Path.GetFullPath(Path.Combine(DebianPackage.RepositoryRoot, "..", "shared", "tools", "confd"));
        return File.Exists(beside) ? beside : null;
    }
}
