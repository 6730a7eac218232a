using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Configuration;
using Reconciler.Host.Invocation;

namespace Reconciler.Host.Logging;

/// <summary>
/// Logs the configuration in force at startup, one line for the daemon and one per template, with
/// secrets masked: the etcd password (never the content of password-file), a password inside an
/// endpoint URL, and template vars whose name says they are secret.
/// </summary>
internal static partial class EffectiveConfiguration
{
    private const string Masked = "***";

    public static void Log(ILogger logger, ReconcilerSettings settings, RunOptions options)
    {
        var backend = settings.Backend;
        logger.LogInformation(
            "Configuration {Config}: backend type={BackendType} endpoints={Endpoints} file={BackendFile} username={Username} password={Password} tls ca={TlsCa} cert={TlsCert} key={TlsKey}; debounce quiet={QuietMs}ms max={MaxMs}ms; supervision backoff {MinBackoffMs}ms..{MaxBackoffMs}ms random-factor={RandomFactor}; commands timeout={CommandTimeoutMs}ms; log level={LogLevel} format={LogFormat}; http listen={HttpListen}; dns servers={DnsServers}; memory trim-after-idle={TrimAfterIdleMs}ms",
            settings.SourceFile,
            backend.Type.ToString().ToLowerInvariant(),
            backend.Type == BackendType.Etcd ? string.Join(",", backend.Endpoints.Select(MaskUrl)) : string.Empty,
            backend.Type == BackendType.File ? backend.FilePath : string.Empty,
            backend.Username,
            backend.Password.Length == 0 ? string.Empty : Masked,
            backend.Tls.CaFile,
            backend.Tls.CertFile,
            backend.Tls.KeyFile,
            settings.Debounce.Quiet.TotalMilliseconds,
            settings.Debounce.Max.TotalMilliseconds,
            settings.Supervision.MinBackoff.TotalMilliseconds,
            settings.Supervision.MaxBackoff.TotalMilliseconds,
            settings.Supervision.RandomFactor,
            settings.CommandTimeout.TotalMilliseconds,
            options.LogLevel ?? settings.Log.Level,
            LoggingSetup.Format(settings, options),
            settings.HttpListen.Length == 0 ? "off" : settings.HttpListen,
            settings.DnsServers.IsEmpty ? "system" : string.Join(",", settings.DnsServers),
            settings.MemoryTrimAfterIdle.TotalMilliseconds);
        foreach (var template in settings.Templates)
        {
            logger.LogInformation(
                "Template {Template}: src={Src} dest={Dest} keys={Keys} mode={Mode} owner={Owner} group={Group} check-cmd={CheckCmd} reload-cmd={ReloadCmd} debounce quiet={QuietMs}ms max={MaxMs}ms render-timeout={RenderTimeoutMs}ms max-output-bytes={MaxOutputBytes} vars={Vars}",
                template.Name,
                template.Src,
                template.Dest,
                string.Join(",", template.Keys),
                Convert.ToString((int)template.Mode, 8).PadLeft(4, '0'),
                template.Owner,
                template.Group,
                template.CheckCommand,
                template.ReloadCommand,
                template.Debounce.Quiet.TotalMilliseconds,
                template.Debounce.Max.TotalMilliseconds,
                template.RenderTimeout.TotalMilliseconds,
                template.MaxOutputBytes,
                string.Join(",", template.Variables.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={(SecretName().IsMatch(v.Key) ? Masked : v.Value)}")));
            if (template.Runtime.IsHaproxy)
            {
                logger.LogInformation(
                    "Template {Template} runtime: type={RuntimeType} socket={Socket} backends={Backends} drain-timeout={DrainMs}ms",
                    template.Name,
                    template.Runtime.Type,
                    template.Runtime.Socket,
                    template.Runtime.Backends.IsEmpty ? "all" : string.Join(",", template.Runtime.Backends),
                    template.Runtime.DrainTimeout.TotalMilliseconds);
            }
            else if (template.Runtime.IsOn)
            {
                logger.LogInformation(
                    "Template {Template} runtime: type={RuntimeType} socket={Socket} name={RuntimeName}",
                    template.Name,
                    template.Runtime.Type,
                    template.Runtime.Socket,
                    template.Runtime.NameFor(template.Dest));
            }
        }
    }

    private static string MaskUrl(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':', StringComparison.Ordinal)
            ? new UriBuilder(uri) { Password = Masked }.Uri.ToString()
            : endpoint;

    [GeneratedRegex("pass|secret|token|credential|private", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
