using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Networks;
using Reconciler.Actors.Registration;
using Reconciler.Host.Invocation;
using Reconciler.Host.Logging;

namespace Reconciler.Host.CommandLine;

/// <summary>
/// <c>reconciler register</c>: self-registration for an application instance. Keeps one key in etcd under a
/// lease while it runs (see <see cref="LeaseRegistration"/>); SIGTERM/SIGINT revoke the lease and exit 0. It
/// reads no configuration file: an application host has only the etcd connection, given as options.
/// </summary>
internal static class RegisterCommand
{
    private static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(10);

    public static Command Create(CommonOptions common)
    {
        var endpoints = new Option<string>("--endpoints")
        {
            Description = "etcd endpoints, comma-separated (http://10.0.0.1:2379,http://10.0.0.2:2379); https:// turns on TLS",
            Required = true,
        };
        var key = new Option<string>("--key")
        {
            Description = "Key to keep, e.g. /apps/stupid_server/%n; %n = this host's name, %% = %",
            Required = true,
        };
        var value = new Option<string>("--value") { Description = "Value of the key, e.g. \"stupid-server-1 10.0.0.5:9000\"", Required = true };
        var valueFormat = new Option<string>("--value-format")
        {
            Description = "instance (default): --value must be \"<name> <host>:<port>\", as the shipped template renders it; text: any one-line value",
        };
        valueFormat.AcceptOnlyFromAmong(RegistrationValue.Instance, RegistrationValue.Text);
        var allowedNetworks = new Option<string?>("--allowed-networks")
        {
            Description = "Networks --value's host may be in, comma-separated CIDRs (10.0.0.0/8,fd00::/8; 127.0.0.0/8 for a load balancer on this host). "
                + "Default: any address but loopback, link-local (cloud metadata), unspecified, multicast and broadcast",
        };
        var allowHostNames = new Option<bool>("--allow-hostnames")
        {
            Description = "Let --value name a host instead of an address (the template must set allow-hostnames = true too)",
        };
        var ttl = new Option<string>("--ttl") { Description = "Lease TTL (10s, 1m, or seconds); the key goes this long after the process dies. Default 10s" };
        var username = new Option<string?>("--username") { Description = "etcd user (with --password-file)" };
        var passwordFile = new Option<string?>("--password-file") { Description = "File holding the etcd user's password" };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM CA bundle to trust for https:// endpoints (replaces the system roots)" };
        var certFile = new Option<string?>("--cert-file") { Description = "PEM client certificate for https:// endpoints (with --key-file)" };
        var keyFile = new Option<string?>("--key-file") { Description = "PEM private key of the client certificate" };

        // not listed (register reads no configuration), but named when given, as an operator used to the other commands would
        var config = new Option<string?>("--config", "-c") { Hidden = true };
        var command = new Command("register", "Keep a key in etcd under a lease until stopped: an app instance's self-registration. SIGTERM revokes it at once; if the process dies, it expires after --ttl.")
        {
            endpoints, key, value, valueFormat, allowedNetworks, allowHostNames, ttl, username, passwordFile, caFile, certFile, keyFile, config,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.GetValue(config) is not null)
            {
                return await FailAsync("register does not read --config: give the etcd connection with --endpoints (and --username, --ca-file ...)");
            }

            if (!LeaseTtl.TryParse(result.GetValue(ttl) ?? $"{DefaultTtl.TotalSeconds:0}s", out var leaseTtl, out var ttlError))
            {
                return await FailAsync($"--ttl: {ttlError}");
            }

            string expandedKey;
            try
            {
                expandedKey = RegistrationKey.Expand(result.GetValue(key)!, Dns.GetHostName());
            }
            catch (FormatException e)
            {
                return await FailAsync($"--key: {e.Message}");
            }

            var networks = AddressPolicy.ParseNetworks(
                (result.GetValue(allowedNetworks) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), out var networksProblem);
            if (networksProblem is not null)
            {
                return await FailAsync($"--allowed-networks: {networksProblem}");
            }

            var addresses = RegistrationValue.Addresses(networks, result.GetValue(allowHostNames));
            if (RegistrationValue.Problem(result.GetValue(value)!, result.GetValue(valueFormat) ?? RegistrationValue.Instance, addresses) is { } problem)
            {
                return await FailAsync($"--value {problem}");
            }

            var connection = await ConnectionAsync(
                result.GetValue(endpoints)!, result.GetValue(username), result.GetValue(passwordFile),
                result.GetValue(caFile), result.GetValue(certFile), result.GetValue(keyFile));
            return connection is null
                ? ExitCodes.BadConfiguration
                : await RunAsync(connection, expandedKey, result.GetValue(value)!, leaseTtl, common.ReadLogging(result), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        EtcdConnectionOptions connection, string key, string value, TimeSpan ttl, RunOptions options, CancellationToken stop)
    {
        EtcdLeaseClient etcd;
        try
        {
            // Renewals must not wait longer than the interval between them.
            etcd = new EtcdLeaseClient(connection with { RequestTimeout = Min(connection.RequestTimeout, ttl / 3) });
        }
        catch (Exception e) when (e is ArgumentException or IOException or CryptographicException)
        {
            return await FailAsync(e.Message);
        }

        using (etcd)
        {
            // register has no config file: info and text are reference.conf's reconciler.log defaults
            using var loggers = LoggingSetup.CreateFactory(new LogSettings("info", LogFormat.Text), options);
            var logger = loggers.CreateLogger("Reconciler.Register");

            // System.CommandLine 2.0.0's InvokeAsync() without an InvocationConfiguration leaves SIGTERM to the
            // runtime, which exits at once (143) and the lease would outlive the process by its TTL. Stop here instead.
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            void Stop(PosixSignalContext signal)
            {
                signal.Cancel = true;
                stopping.Cancel();
            }

            try
            {
                await new LeaseRegistration(etcd, key, value, ttl, logger).RunAsync(stopping.Token);
                return ExitCodes.Ok;
            }
            catch (RegistrationKeyTakenException e)
            {
                logger.LogError("Not registered: {Reason}", e.Message);
                return ExitCodes.BadConfiguration;
            }
            catch (RegistrationRejectedException e)
            {
                logger.LogError("etcd refused the registration of {Key}: {Reason}", key, e.Message);
                return ExitCodes.Failed;
            }
        }
    }

    /// <returns>null when an option is wrong (already reported).</returns>
    private static async Task<EtcdConnectionOptions?> ConnectionAsync(
        string endpoints, string? username, string? passwordFile, string? caFile, string? certFile, string? keyFile)
    {
        var urls = endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
        {
            await FailAsync("--endpoints: at least one etcd URL is needed");
            return null;
        }

        if (urls.FirstOrDefault(u => !Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) is { } bad)
        {
            await FailAsync($"--endpoints: \"{bad}\" is not an http:// or https:// URL");
            return null;
        }

        if ((username is null) != (passwordFile is null))
        {
            await FailAsync("--username and --password-file go together");
            return null;
        }

        if (new[] { passwordFile, caFile, certFile, keyFile }.FirstOrDefault(f => f is not null && !File.Exists(f)) is { } missing)
        {
            await FailAsync($"file {missing} does not exist");
            return null;
        }

        return new EtcdConnectionOptions(urls)
        {
            Username = username,
            Password = passwordFile is null ? null : (await File.ReadAllTextAsync(passwordFile)).TrimEnd('\r', '\n'),
            CaFile = caFile,
            CertFile = certFile,
            KeyFile = keyFile,
        };
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static async Task<int> FailAsync(string message)
    {
        await Console.Error.WriteLineAsync($"reconciler register: {message}");
        return ExitCodes.BadConfiguration;
    }
}
