using Microsoft.Extensions.Logging;

namespace Reconciler.Host.Logging;

/// <summary>The daemon's minimum log level, read on every log call, so a configuration reload (SIGHUP) can change it.</summary>
internal sealed class LogLevelSwitch(LogLevel minimum)
{
    private volatile int _minimum = (int)minimum;

    public LogLevel Minimum
    {
        get => (LogLevel)_minimum;
        set => _minimum = (int)value;
    }

    /// <summary>The filter for the logging builder: framework categories stay at warning whatever the level.</summary>
    public bool Allows(string? category, LogLevel level) =>
        level >= Minimum && (level >= LogLevel.Warning || category?.StartsWith("Microsoft", StringComparison.Ordinal) != true);
}
