using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Reconciler.Actors.Configuration;
using Reconciler.Host.Invocation;

namespace Reconciler.Host.Logging;

/// <summary>
/// Console logging for operators: one line per event on stderr (stdout stays free for
/// <c>render</c> output); syslog priority prefixes under systemd so journalctl can filter by
/// level; or one JSON object per line. The level can change at run time (<see cref="LogLevelSwitch"/>).
/// </summary>
internal static class LoggingSetup
{
    public static void Configure(ILoggingBuilder logging, ReconcilerSettings settings, RunOptions options) =>
        Configure(logging, settings.Log, options);

    /// <summary>Logging for a command that reads no configuration file (<paramref name="defaults"/> stand in for it).</summary>
    public static void Configure(ILoggingBuilder logging, LogSettings defaults, RunOptions options)
    {
        logging.ClearProviders();
        var level = new LogLevelSwitch(MinimumLevel(defaults, options));
        logging.Services.AddSingleton(level);
        logging.SetMinimumLevel(LogLevel.Trace);
        logging.AddFilter(level.Allows);
        var format = Format(defaults, options);
        logging.AddConsole(console =>
        {
            console.LogToStandardErrorThreshold = LogLevel.Trace;
            console.FormatterName = format == "json"
                ? ConsoleFormatterNames.Json
                : UnderSystemd ? ConsoleFormatterNames.Systemd : ConsoleFormatterNames.Simple;
        });
        logging.Services.Configure<SimpleConsoleFormatterOptions>(simple =>
        {
            simple.SingleLine = true;
            simple.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffK ";
        });
        logging.Services.Configure<JsonConsoleFormatterOptions>(json =>
        {
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffK";
            json.UseUtcTimestamp = true;
        });
    }

    /// <summary>--log-level, else reconciler.log.level.</summary>
    public static LogLevel MinimumLevel(ReconcilerSettings settings, RunOptions options) => MinimumLevel(settings.Log, options);

    /// <summary>--log-format, else reconciler.log.format.</summary>
    public static string Format(ReconcilerSettings settings, RunOptions options) => Format(settings.Log, options);

    public static ILoggerFactory CreateFactory(ReconcilerSettings settings, RunOptions options) =>
        CreateFactory(settings.Log, options);

    public static ILoggerFactory CreateFactory(LogSettings defaults, RunOptions options) =>
        LoggerFactory.Create(logging => Configure(logging, defaults, options));

    public static LogLevel MinimumLevel(LogSettings defaults, RunOptions options) => (options.LogLevel ?? defaults.Level) switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => LogLevel.Information,
    };

    private static string Format(LogSettings defaults, RunOptions options) =>
        options.LogFormat ?? defaults.Format.ToString().ToLowerInvariant();

    /// <summary>journald sets JOURNAL_STREAM for services whose output it captures.</summary>
    private static bool UnderSystemd => Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 };
}
