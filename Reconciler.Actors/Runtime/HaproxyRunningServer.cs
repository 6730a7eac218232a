using System.Collections.Immutable;

namespace Reconciler.Actors.Runtime;

/// <summary>A server as the running HAProxy has it, from <c>show servers state BACKEND</c>.</summary>
internal sealed record HaproxyRunningServer(string Name, string Host, int Port, int AdminState, int Weight)
{
    // SRV_ADMF_FMAINT | SRV_ADMF_IMAINT | SRV_ADMF_RMAINT (HAProxy's server-t.h)
    private const int MaintenanceFlags = 0x23;

    public bool InMaintenance => (AdminState & MaintenanceFlags) != 0;

    /// <summary>The servers of one backend; lines that are not server rows (version, header comment) are skipped.</summary>
    public static ImmutableArray<HaproxyRunningServer> ParseState(string answer)
    {
        // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight ... srv_port (18th)
        var servers = ImmutableArray.CreateBuilder<HaproxyRunningServer>();
        foreach (var line in answer.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 19 && !line.StartsWith('#') && int.TryParse(fields[6], out var admin)
                && int.TryParse(fields[7], out var weight) && int.TryParse(fields[18], out var port))
            {
                servers.Add(new HaproxyRunningServer(fields[3], fields[4], port, admin, weight));
            }
        }

        return servers.ToImmutable();
    }

    /// <summary>Sessions plus queued requests per backend/server, from <c>show stat</c>'s CSV (qcur and scur columns).</summary>
    public static ImmutableDictionary<string, int> ParseLoad(string answer)
    {
        var load = ImmutableDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var line in answer.Split('\n'))
        {
            var fields = line.Split(',');
            if (fields.Length > 4 && !line.StartsWith('#') && int.TryParse(fields[2], out var queued) && int.TryParse(fields[4], out var sessions))
            {
                load[$"{fields[0]}/{fields[1]}"] = queued + sessions;
            }
        }

        return load.ToImmutable();
    }
}
