namespace Reconciler.Host.Invocation;

/// <summary>What the command line asked for, beyond the config file.</summary>
internal sealed record RunOptions(string ConfigFile, string? LogLevel, string? LogFormat, string? ConfdDir = null)
{
    /// <summary>--state-dir: overrides reconciler.state-dir.</summary>
    public string? StateDir { get; init; }
}
