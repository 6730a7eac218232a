using System.Collections.Immutable;

namespace Reconciler.Actors.Output;

/// <summary>
/// The environment check-cmd and reload-cmd run with: PATH and LANG, and only what reconciler.commands.environment
/// names, never the daemon's whole environment (NOTIFY_SOCKET would let a command speak for the daemon to systemd,
/// and whatever else the daemon was started with is none of a command's business).
/// </summary>
public sealed class CommandEnvironment
{
    /// <summary>Debian's default PATH for root, for a daemon started without one.</summary>
    public const string StandardPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static readonly CommandEnvironment Minimal = From([]);

    private CommandEnvironment(ImmutableSortedDictionary<string, string> variables) => Variables = variables;

    public ImmutableSortedDictionary<string, string> Variables { get; }

    /// <param name="entries">"NAME" (the daemon's value, left out when it has none) or "NAME=value".</param>
    /// <param name="daemonVariable">Reads the daemon's own environment; <see cref="Environment.GetEnvironmentVariable(string)"/> when null.</param>
    public static CommandEnvironment From(IEnumerable<string> entries, Func<string, string?>? daemonVariable = null)
    {
        daemonVariable ??= Environment.GetEnvironmentVariable;
        var variables = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        variables["PATH"] = daemonVariable("PATH") is { Length: > 0 } path ? path : StandardPath;
        variables["LANG"] = daemonVariable("LANG") is { Length: > 0 } lang ? lang : "C.UTF-8";
        foreach (var entry in entries)
        {
            var equals = entry.IndexOf('=');
            if (equals > 0)
            {
                variables[entry[..equals]] = entry[(equals + 1)..];
            }
            else if (daemonVariable(entry) is { } value)
            {
                variables[entry] = value;
            }
        }

        return new CommandEnvironment(variables.ToImmutable());
    }
}
