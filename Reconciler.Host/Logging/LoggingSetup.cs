using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Reconciler.Actors.Configuration;
using Reconciler.Host.CommandLine;

namespace Reconciler.Host.Logging;

/// <summary>
/// Console logging for operators: one line per event on stderr (stdout stays free for
/// <c>render</c> output); syslog priority prefixes under systemd so journalctl can filter by
/// level; or one JSON object per line.
/// </summary>
public static class LoggingSetup
{
    public static void Configure(ILoggingBuilder logging, ReconcilerSettings settings, RunOptions options)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(MinimumLevel(settings, options));
        logging.AddFilter("Microsoft", LogLevel.Warning);
        var format = Format(settings, options);
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
    public static LogLevel MinimumLevel(ReconcilerSettings settings, RunOptions options) => (options.LogLevel ?? settings.Log.Level) switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => LogLevel.Information,
    };

    /// <summary>--log-format, else reconciler.log.format.</summary>
    public static string Format(ReconcilerSettings settings, RunOptions options) =>
        options.LogFormat ?? settings.Log.Format.ToString().ToLowerInvariant();

    public static ILoggerFactory CreateFactory(ReconcilerSettings settings, RunOptions options) =>
        LoggerFactory.Create(logging => Configure(logging, settings, options));

    /// <summary>journald sets JOURNAL_STREAM for services whose output it captures.</summary>
    private static bool UnderSystemd => Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 };
}
