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
        logging.SetMinimumLevel(Level(options.LogLevel ?? settings.Log.Level));
        logging.AddFilter("Microsoft", LogLevel.Warning);
        var format = options.LogFormat ?? settings.Log.Format.ToString().ToLowerInvariant();
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

    public static ILoggerFactory CreateFactory(ReconcilerSettings settings, RunOptions options) =>
        LoggerFactory.Create(logging => Configure(logging, settings, options));

    /// <summary>journald sets JOURNAL_STREAM for services whose output it captures.</summary>
    private static bool UnderSystemd => Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 };

    private static LogLevel Level(string level) => level switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => LogLevel.Information,
    };
}
