using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace Reconciler.Actors.Templates;

/// <summary>
/// The DNS queries behind <c>lookupIP</c> and <c>lookupSRV</c>: the system resolver, or the servers of
/// <c>reconciler.dns.servers</c> (Consul's DNS on 127.0.0.1:8600, say). A name that does not exist gives an
/// empty list, as in confd; any other failure (timeout, SERVFAIL) throws where confd returns an empty list,
/// so a flaky DNS server fails the render and keeps the old file instead of emptying a server pool.
/// </summary>
public sealed class DnsLookup
{
    public static readonly DnsLookup System = new([]);

    private readonly LookupClient? _servers;

    public DnsLookup(ImmutableArray<IPEndPoint> servers)
    {
        Servers = servers;
        _servers = servers.IsEmpty ? null : NewClient(new LookupClientOptions([.. servers]));
    }

    /// <summary>The servers asked; empty for the system resolver.</summary>
    public ImmutableArray<IPEndPoint> Servers { get; }

    public bool IsSameAs(DnsLookup other) => Servers.SequenceEqual(other.Servers);

    /// <summary>The addresses of <paramref name="host"/> as sorted strings, like confd's lookupIP.</summary>
    public string[] Addresses(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal.ToString()];
        }

        IEnumerable<IPAddress> addresses;
        if (_servers is null)
        {
            // getaddrinfo: /etc/hosts and nsswitch, as every other program on the machine resolves
            try
            {
                addresses = Dns.GetHostAddressesAsync(host, cancellationToken).GetAwaiter().GetResult();
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
            {
                return [];
            }
        }
        else
        {
            addresses = Query(_servers, host, QueryType.A, cancellationToken).ARecords().Select(r => r.Address)
                .Concat(Query(_servers, host, QueryType.AAAA, cancellationToken).AaaaRecords().Select(r => r.Address));
        }

        return [.. addresses.Select(address => address.ToString()).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The SRV records of <c>_service._protocol.name</c>, ordered as confd orders them (by target, port, priority
    /// and weight written one after the other). Targets keep their trailing dot, as Go's resolver returns them.
    /// </summary>
    public ServiceRecord[] Services(string service, string protocol, string name, CancellationToken cancellationToken)
    {
        // the system's servers are read from /etc/resolv.conf at each lookup, so an edit of it applies
        var client = _servers ?? NewClient(new LookupClientOptions());
        return [.. Query(client, $"_{service}._{protocol}.{name}", QueryType.SRV, cancellationToken).SrvRecords()
            .Select(r => new ServiceRecord(r.Target.Value, r.Port, r.Priority, r.Weight))
            .OrderBy(r => $"{r.Target}{r.Port}{r.Priority}{r.Weight}", StringComparer.Ordinal)];
    }

    private static LookupClient NewClient(LookupClientOptions options)
    {
        options.Timeout = TimeSpan.FromSeconds(2);
        options.Retries = 1;
        options.ContinueOnDnsError = false;
        options.ThrowDnsErrors = false;
        return new LookupClient(options);
    }

    private static IEnumerable<DnsResourceRecord> Query(LookupClient client, string name, QueryType type, CancellationToken cancellationToken)
    {
        var response = client.QueryAsync(name, type, QueryClass.IN, cancellationToken).GetAwaiter().GetResult();
        if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
        {
            return [];
        }

        return response.HasError
            ? throw new DnsResponseException((DnsResponseCode)response.Header.ResponseCode)
            : response.Answers;
    }
}

/// <summary>One SRV record as confd's lookupSRV gives it: <c>.Target</c>, <c>.Port</c>, <c>.Priority</c>, <c>.Weight</c>.</summary>
public sealed record ServiceRecord(string Target, int Port, int Priority, int Weight);
