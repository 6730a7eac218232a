using System.CommandLine;
using Reconciler.Host.Invocation;

namespace Reconciler.Host.CommandLine;

/// <summary>
/// Options the commands share: logging on every command (declared recursive on the root command), the configuration
/// only on those that read one (<see cref="AddConfigurationTo"/>): <c>register</c> and <c>convert-template</c> do not.
/// </summary>
internal sealed class CommonOptions
{
    public Option<string?> Config { get; } = new("--config", "-c")
    {
        Description = "HOCON configuration file (settings and defaults: config/hocon/reference.conf)",
    };

    public Option<string?> ConfdDir { get; } = new("--confd-dir")
    {
        Description = "confd folder (e.g. /etc/confd) whose conf.d/*.toml resources and Go templates to run too (overrides reconciler.confd-dir)",
    };

    public Option<string?> StateDir { get; } = new("--state-dir")
    {
        Description = "Folder for the apply journal and the state kept across restarts (overrides reconciler.state-dir; with --confd-dir alone, the way to have a journal)",
    };

    public Option<string?> LogLevel { get; } = Choice("--log-level", "trace | debug | info | warning | error (overrides reconciler.log.level)", "trace", "debug", "info", "warning", "error");

    public Option<string?> LogFormat { get; } = Choice("--log-format", "text | json (overrides reconciler.log.format)", "text", "json");

    /// <summary>Adds --config, --confd-dir and --state-dir to <paramref name="command"/>, which reads a configuration.</summary>
    public void AddConfigurationTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(ConfdDir);
        command.Options.Add(StateDir);
    }

    /// <summary>What a command that reads a configuration (<see cref="AddConfigurationTo"/>) was given.</summary>
    public RunOptions Read(ParseResult result) =>
        new(result.GetValue(Config) ?? string.Empty, result.GetValue(LogLevel), result.GetValue(LogFormat), result.GetValue(ConfdDir)) { StateDir = result.GetValue(StateDir) };

    /// <summary>What a command that reads no configuration was given: logging only.</summary>
    public RunOptions ReadLogging(ParseResult result) => new(string.Empty, result.GetValue(LogLevel), result.GetValue(LogFormat));

    private static Option<string?> Choice(string name, string description, params string[] values)
    {
        var option = new Option<string?>(name) { Description = description, Recursive = true };
        option.AcceptOnlyFromAmong(values);
        return option;
    }
}
