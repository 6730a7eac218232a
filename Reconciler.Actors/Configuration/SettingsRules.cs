using Reconciler.Actors.Display;
using Reconciler.Actors.Output;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Configuration;

/// <summary>
/// Rules that relate settings to each other and to this machine, applied after each setting has been
/// read on its own. Each returns the problem as a phrase to put after the setting's name, or null.
/// </summary>
internal static class SettingsRules
{
    /// <summary>No duration is meant to be longer; far longer ones overflow timers (shutdown.timeout = 100000d did).</summary>
    public static readonly TimeSpan LongestDuration = TimeSpan.FromDays(1);

    public static string? Duration(TimeSpan value, bool allowZero) =>
        value < TimeSpan.Zero ? "must not be negative"
        : !allowZero && value == TimeSpan.Zero ? "must be greater than zero"
        : value > LongestDuration ? "must be at most 1d"
        : null;

    /// <summary>For supervision.min-backoff.</summary>
    public static string? Backoff(TimeSpan min, TimeSpan max) =>
        min <= max ? null : $"must be at most max-backoff ({Milliseconds(max)})";

    /// <summary>For debounce.max.</summary>
    public static string? Debounce(TimeSpan quiet, TimeSpan max) =>
        max >= quiet ? null : $"must be at least quiet ({Milliseconds(quiet)})";

    public static string? Templates(int count, bool hasConfdDirectory) =>
        count > 0 || hasConfdDirectory ? null : "no templates: list at least one, or set reconciler.confd-dir";

    /// <summary>For a template's dest: the file to write, in a folder that exists and nobody else may write to (<see cref="FolderSafety"/>).</summary>
    public static string? Dest(string dest) =>
        Directory.Exists(dest) ? $"{dest} is a folder; dest names the file to write"
        : !Directory.Exists(Path.GetDirectoryName(dest)) ? $"folder {Path.GetDirectoryName(dest)} does not exist"
        : FolderSafety.Problem(Path.GetDirectoryName(dest)!);

    public static string? Owner(string owner) =>
        Resolves(owner, UnixAccounts.TryResolveUser) ? null : $"no user \"{owner}\" on this machine";

    public static string? Group(string group) =>
        Resolves(group, UnixAccounts.TryResolveGroup) ? null : $"no group \"{group}\" on this machine";

    /// <summary>For fleet.prefix: a key prefix below the root, so that it can stay clear of every template's keys.</summary>
    public static string? FleetPrefix(string prefix) =>
        !prefix.StartsWith('/') ? $"\"{PrintableText.Of(prefix)}\" must start with /"
        : new KeyPrefix(prefix).IsWholeKeySpace ? "must not be the whole key space: it would cover every template's keys"
        : PrintableText.HasControlCharacter(prefix) ? $"\"{PrintableText.Of(prefix)}\" has a control character"
        : null;

    /// <summary>For fleet.node: one path segment of the record's key.</summary>
    public static string? FleetNode(string node) =>
        node.Contains('/') || PrintableText.HasControlCharacter(node) ? $"\"{PrintableText.Of(node)}\" must be one key segment: no / and no control character" : null;

    private delegate bool Resolver(string nameOrId, out uint id);

    private static bool Resolves(string nameOrId, Resolver resolve)
    {
        try
        {
            return nameOrId.Length == 0 || resolve(nameOrId, out _);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Milliseconds(TimeSpan value) => $"{value.TotalMilliseconds:0}ms";
}
