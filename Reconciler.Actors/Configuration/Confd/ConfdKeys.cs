namespace Reconciler.Actors.Configuration.Confd;

/// <summary>How confd combines its key prefix with a resource's keys.</summary>
internal static class ConfdKeys
{
    /// <summary>A prefix as "/x" without a trailing slash, or "" for none; confd adds a missing leading slash.</summary>
    public static string NormalisePrefix(string prefix)
    {
        var trimmed = prefix.Trim('/');
        return trimmed.Length == 0 ? string.Empty : "/" + trimmed;
    }

    /// <summary>confd's path.Join(prefix, key) for a normalised prefix: <c>/myapp</c> + <c>app/port</c> is <c>/myapp/app/port</c>.</summary>
    public static string Join(string prefix, string key) => prefix + "/" + key.TrimStart('/');
}
