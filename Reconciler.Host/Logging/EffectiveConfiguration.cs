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

    /// <summary>The backend with only the settings that apply to its type, and only those set: <c>type=file file=/srv/keys.yaml</c>.</summary>
    internal static string Backend(BackendSettings backend)
    {
        if (backend.Type == BackendType.File)
        {
            return $"type=file file={backend.FilePath}";
        }

        string?[] parts =
        [
            "type=etcd",
            $"endpoints={string.Join(",", backend.Endpoints.Select(MaskUrl))}",
            backend.Username.Length == 0 ? null : $"username={backend.Username}",
            backend.Password.Length == 0 ? null : $"password={Masked}",
            backend.Tls.CaFile.Length == 0 ? null : $"tls-ca={backend.Tls.CaFile}",
            backend.Tls.CertFile.Length == 0 ? null : $"tls-cert={backend.Tls.CertFile}",
            backend.Tls.KeyFile.Length == 0 ? null : $"tls-key={backend.Tls.KeyFile}",
        ];
        return string.Join(' ', parts.OfType<string>());
    }

    public static void Log(ILogger logger, ReconcilerSettings settings, RunOptions options)
    {
        logger.LogInformation(
            "Configuration {Config}: backend {Backend}; {Templates} template(s); debounce quiet={QuietMs}ms max={MaxMs}ms; http listen={HttpListen}; log level={LogLevel} format={LogFormat}",
            settings.SourceFile,
            Backend(settings.Backend),
            settings.Templates.Length,
            settings.Debounce.Quiet.TotalMilliseconds,
            settings.Debounce.Max.TotalMilliseconds,
            settings.HttpListen.Length == 0 ? "off" : settings.HttpListen,
            options.LogLevel ?? settings.Log.Level,
            LoggingSetup.Format(settings, options));
        logger.LogDebug(
            "Configuration {Config} further: supervision backoff {MinBackoffMs}ms..{MaxBackoffMs}ms random-factor={RandomFactor}; commands timeout={CommandTimeoutMs}ms; dns servers={DnsServers}; memory trim-after-idle={TrimAfterIdleMs}ms; state-dir={StateDir}",
            settings.SourceFile,
            settings.Supervision.MinBackoff.TotalMilliseconds,
            settings.Supervision.MaxBackoff.TotalMilliseconds,
            settings.Supervision.RandomFactor,
            settings.CommandTimeout.TotalMilliseconds,
            settings.DnsServers.IsEmpty ? "system" : string.Join(",", settings.DnsServers),
            settings.MemoryTrimAfterIdle.TotalMilliseconds,
            settings.StateDir.Length == 0 ? "none" : settings.StateDir);
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
