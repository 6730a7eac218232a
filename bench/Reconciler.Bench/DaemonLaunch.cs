namespace Reconciler.Bench;

/// <summary>
/// How a Reconciler daemon is started for one column of the cold-path comparison: which executable (the bench's own
/// build, or a publish such as the package's) and which environment variables (runtime knobs such as
/// <c>DOTNET_TieredCompilation=0</c>).
/// </summary>
public sealed record DaemonLaunch(string Name, string Executable, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>The framework-dependent <c>reconciler</c> built next to the bench.</summary>
    public static DaemonLaunch BuiltWithBench { get; } =
        new("build", Path.Combine(AppContext.BaseDirectory, "reconciler"), new Dictionary<string, string>());

    /// <summary>Parses <c>NAME=EXECUTABLE[,VAR=VALUE…]</c>; an empty EXECUTABLE is the bench's own build.</summary>
    public static DaemonLaunch Parse(string text)
    {
        var parts = text.Split(',');
        var equals = parts[0].IndexOf('=');
        if (equals <= 0)
        {
            throw new ArgumentException($"--lever {text}: expected NAME=EXECUTABLE[,VAR=VALUE...]");
        }

        var executable = parts[0][(equals + 1)..];
        var environment = parts[1..].Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        return new DaemonLaunch(
            parts[0][..equals],
            executable.Length == 0 ? BuiltWithBench.Executable : Path.GetFullPath(executable),
            environment);
    }

    public override string ToString() =>
        Environment.Count == 0 ? Name : $"{Name} ({string.Join(' ', Environment.Select(e => $"{e.Key}={e.Value}"))})";
}
