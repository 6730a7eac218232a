using System.CommandLine;
using Reconciler.Host.Invocation;

namespace Reconciler.Host.CommandLine;

/// <summary>Options every command understands (declared recursive on the root command).</summary>
internal sealed class CommonOptions
{
    public Option<string?> Config { get; } = new("--config", "-c")
    {
        Description = "HOCON configuration file (settings and defaults: config/hocon/reference.conf)",
        Recursive = true,
    };

    public Option<string?> ConfdDir { get; } = new("--confd-dir")
    {
        Description = "confd folder (e.g. /etc/confd) whose conf.d/*.toml resources and Go templates to run too (overrides reconciler.confd-dir)",
        Recursive = true,
    };

    public Option<string?> LogLevel { get; } = Choice("--log-level", "trace | debug | info | warning | error (overrides reconciler.log.level)", "trace", "debug", "info", "warning", "error");

    public Option<string?> LogFormat { get; } = Choice("--log-format", "text | json (overrides reconciler.log.format)", "text", "json");

    public RunOptions Read(ParseResult result) =>
        new(result.GetValue(Config) ?? string.Empty, result.GetValue(LogLevel), result.GetValue(LogFormat), result.GetValue(ConfdDir));

    private static Option<string?> Choice(string name, string description, params string[] values)
    {
        var option = new Option<string?>(name) { Description = description, Recursive = true };
        option.AcceptOnlyFromAmong(values);
        return option;
    }
}
