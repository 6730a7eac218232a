using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Reconciler.Host.Systemd;

/// <summary>
/// The sd_notify protocol: newline-separated <c>KEY=VALUE</c> datagrams to the unix socket systemd
/// names in <c>NOTIFY_SOCKET</c> (a path, or an abstract name starting with '@'). Without that
/// variable (not started by systemd with Type=notify) every notification is a no-op.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;
    private readonly ILogger _logger;

    public SystemdNotifier(string? socket, TimeSpan? watchdogInterval, ILogger logger)
    {
        _logger = logger;
        WatchdogInterval = watchdogInterval;
        if (socket is { Length: > 0 })
        {
            // an abstract socket address starts with a NUL byte where systemd writes '@'
            _endpoint = new UnixDomainSocketEndPoint(socket[0] == '@' ? string.Concat("\0", socket.AsSpan(1)) : socket);
            _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        }
    }

    public bool IsEnabled => _socket is not null;

    /// <summary>How often to send <c>WATCHDOG=1</c>: half of systemd's WatchdogSec; null when the watchdog is off.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>
    /// Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID, then removes them from the environment so
    /// check and reload commands (HAProxy itself speaks sd_notify) do not inherit them.
    /// </summary>
    public static SystemdNotifier FromEnvironment(ILogger logger)
    {
        var socket = Take("NOTIFY_SOCKET");
        var watchdogUsec = Take("WATCHDOG_USEC");
        var watchdogPid = Take("WATCHDOG_PID");
        var forUs = watchdogPid is null || watchdogPid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        TimeSpan? interval = forUs && long.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec / 2)
            : null;
        return new SystemdNotifier(socket, interval, logger);
    }

    /// <summary>Sends one notification, e.g. <c>READY=1</c> or <c>STATUS=...</c>; failures are logged, never thrown.</summary>
    public void Notify(string state)
    {
        if (_socket is null)
        {
            return;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), _endpoint!);
        }
        catch (SocketException e)
        {
            _logger.LogWarning("Cannot notify systemd ({State}): {Reason}", state.Split('\n', 2)[0], e.Message);
        }
    }

    public void Dispose() => _socket?.Dispose();

    private static string? Take(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        Environment.SetEnvironmentVariable(variable, null);
        return value;
    }
}
