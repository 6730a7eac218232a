using System.Collections.Immutable;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// How a new haproxy.cfg differs from the one HAProxy runs: only in the server lines of backends the runtime API may
/// change (<see cref="Changes"/>), or elsewhere too (<see cref="ReloadReason"/> says where: a reload is needed).
/// </summary>
public sealed record HaproxyConfigDiff(ImmutableArray<HaproxyServerChange> Changes, string? ReloadReason)
{
    public bool NeedsReload => ReloadReason is not null;

    /// <summary>The server lines of the backends in <paramref name="newFile"/> the runtime may change, per backend.</summary>
    public ImmutableDictionary<string, ImmutableArray<HaproxyServerLine>> Pools { get; init; } =
        ImmutableDictionary<string, ImmutableArray<HaproxyServerLine>>.Empty;

    public static HaproxyConfigDiff Between(string oldText, string newText, RuntimeSettings runtime)
    {
        var old = HaproxyConfigFile.Parse(oldText).Sections;
        var @new = HaproxyConfigFile.Parse(newText).Sections;
        if (!old.Select(s => s.Header).SequenceEqual(@new.Select(s => s.Header)))
        {
            return Reload("sections were added, removed or renamed");
        }

        var changes = ImmutableArray.CreateBuilder<HaproxyServerChange>();
        var pools = ImmutableDictionary.CreateBuilder<string, ImmutableArray<HaproxyServerLine>>();
        var defaultServer = false;
        for (var i = 0; i < old.Length; i++)
        {
            var (before, after) = (old[i], @new[i]);
            if (after.Header.StartsWith("defaults", StringComparison.Ordinal))
            {
                defaultServer = HasDefaultServer(after);
            }

            if (!before.Lines.SequenceEqual(after.Lines))
            {
                return Reload($"{Describe(after)} changed outside its server lines");
            }

            var backend = after.BackendName;
            if (backend is null || !runtime.Covers(backend))
            {
                if (!before.ServerWords.Select(Joined).SequenceEqual(after.ServerWords.Select(Joined)))
                {
                    return Reload($"server lines of {Describe(after)}, which runtime.backends does not list, changed");
                }

                continue;
            }

            if (Servers(before, out var unreadable) is not { } beforeServers || Servers(after, out unreadable) is not { } afterServers)
            {
                return Reload($"backend {backend} has a server line the runtime API cannot reproduce: {unreadable}");
            }

            var serverChanges = Compare(backend, beforeServers, afterServers).ToList();
            if (serverChanges.Any(c => c.Old is null) && (HasDefaultServer(after) || defaultServer))
            {
                return Reload($"backend {backend} gets default-server settings, which a server added at runtime would not get");
            }

            pools[backend] = afterServers;
            changes.AddRange(serverChanges);
        }

        return new HaproxyConfigDiff(changes.ToImmutable(), null) { Pools = pools.ToImmutable() };
    }

    /// <summary>The server lines of the backends in <paramref name="text"/> the runtime may change; unreadable ones are left out.</summary>
    public static ImmutableDictionary<string, ImmutableArray<HaproxyServerLine>> PoolsIn(string text, RuntimeSettings runtime) =>
        HaproxyConfigFile.Parse(text).Sections
            .Where(s => s.BackendName is { } backend && runtime.Covers(backend))
            .Select(s => (Backend: s.BackendName!, Servers: Servers(s, out _)))
            .Where(p => p.Servers is not null)
            .ToImmutableDictionary(p => p.Backend, p => p.Servers!.Value);

    private static IEnumerable<HaproxyServerChange> Compare(string backend, ImmutableArray<HaproxyServerLine> before, ImmutableArray<HaproxyServerLine> after)
    {
        var oldByName = before.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var newNames = after.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var server in before.Where(s => !newNames.Contains(s.Name)))
        {
            yield return new HaproxyServerChange(backend, server, null);
        }

        foreach (var server in after)
        {
            var old = oldByName.GetValueOrDefault(server.Name);
            if (old is null || !old.IsSameAs(server))
            {
                yield return new HaproxyServerChange(backend, old, server);
            }
        }
    }

    private static ImmutableArray<HaproxyServerLine>? Servers(HaproxySection section, out string unreadable)
    {
        var servers = ImmutableArray.CreateBuilder<HaproxyServerLine>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var words in section.ServerWords)
        {
            if (HaproxyServerLine.Parse(words) is not { } server || !names.Add(server.Name))
            {
                unreadable = Joined(words);
                return null;
            }

            servers.Add(server);
        }

        unreadable = string.Empty;
        return servers.ToImmutable();
    }

    private static bool HasDefaultServer(HaproxySection section) =>
        section.Lines.Any(l => l.StartsWith("default-server ", StringComparison.Ordinal));

    private static string Joined(IReadOnlyList<string> words) => string.Join(' ', words);

    private static string Describe(HaproxySection section) => section.Header.Length == 0 ? "the top of the file" : $"section '{section.Header}'";

    private static HaproxyConfigDiff Reload(string reason) => new([], reason);
}
