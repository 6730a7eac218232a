namespace Reconciler.Actors.Configuration;

/// <summary>A user mistake in the configuration: one line naming the file, the setting and what is wrong.</summary>
public sealed class ConfigurationException(string message) : Exception(message)
{
    public static ConfigurationException For(string file, string setting, string problem) =>
        new($"{file}: {setting}: {problem}");
}
