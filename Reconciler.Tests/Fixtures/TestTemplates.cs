using System.Collections.Immutable;
using System.Diagnostics;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Output;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Fixtures;

/// <summary>Template definitions, reconcilers and states for rendering and renderer tests.</summary>
public static class TestTemplates
{
    public const UnixFileMode Mode0640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    public const UnixFileMode Mode0644 = Mode0640 | UnixFileMode.OtherRead;

    public static readonly KeyPrefix Apps = new("/apps");

    /// <summary>One line <c>key=value</c> per key under /apps, in key order.</summary>
    public const string KeyLines = "{{ for kv in gets \"/apps/*\" }}{{ kv.key }}={{ kv.value }}\n{{ end }}";

    public static TemplateDefinition Definition(
        string dest,
        string check = "",
        string reload = "",
        UnixFileMode mode = Mode0644,
        ShrinkGuard? guard = null,
        bool rollback = false,
        string name = "t") =>
        new(
            name,
            $"{name}.sbn",
            dest,
            [Apps],
            mode,
            "",
            "",
            check,
            reload,
            new DebounceSettings(TimeSpan.Zero, TimeSpan.Zero),
            ImmutableDictionary<string, string>.Empty,
            rollback,
            guard ?? ShrinkGuard.Off);

    /// <summary>A state at <paramref name="revision"/> holding /apps/&lt;name&gt; = value for each pair.</summary>
    public static DesiredState StateOf(long revision, params (string Name, string Value)[] keys) =>
        DesiredState.From(keys.Select(k => KeyValuePair.Create($"/apps/{k.Name}", k.Value)), revision);

    /// <summary>A state with <paramref name="count"/> keys /apps/k00.. .</summary>
    public static DesiredState Numbered(int count, long revision = 1) =>
        StateOf(revision, [.. Enumerable.Range(0, count).Select(i => ($"k{i:D2}", $"v{i}"))]);

    /// <summary>What <see cref="KeyLines"/> renders for <paramref name="state"/>.</summary>
    public static string Rendered(DesiredState state) => string.Concat(state.Keys.Select(kv => $"{kv.Key}={kv.Value}\n"));

    public static StateChange Added(params string[] names) => new([.. names.Select(n => $"/apps/{n}")], [], []);

    /// <summary>The inode number of <paramref name="path"/> (a replaced file gets a new one).</summary>
    public static string InodeOf(string path)
    {
        var start = new ProcessStartInfo("stat") { ArgumentList = { "-c", "%i", path }, RedirectStandardOutput = true };
        using var stat = Process.Start(start)!;
        var inode = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return inode;
    }

    /// <summary>Single-quoted for sh.</summary>
    public static string Quote(string path) => $"'{path.Replace("'", @"'\''", StringComparison.Ordinal)}'";
}
