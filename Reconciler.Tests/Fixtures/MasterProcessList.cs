using System.Globalization;
namespace Reconciler.Tests.Fixtures;

/// <summary>
/// HAProxy's answer to <c>show proc</c> on the master CLI: the master with its reload count, the current
/// worker(s) and the old workers still finishing the connections they had when a reload replaced them.
/// </summary>
public sealed record MasterProcessList(int MasterPid, int Reloads, IReadOnlyList<int> Workers, IReadOnlyList<int> OldWorkers)
{
    /// <summary>Parses HAProxy 2.6's table: one process per line, sections opened by "# workers", "# old workers", "# programs".</summary>
    public static MasterProcessList Parse(string text)
    {
        int? masterPid = null;
        var reloads = 0;
        var workers = new List<int>();
        var oldWorkers = new List<int>();
        var section = string.Empty;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                section = line;
                continue;
            }

            // "<pid> <type> <reloads> ..."; the master's reloads column reads "3 [failed: 0]"
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var pid = int.Parse(fields[0], CultureInfo.InvariantCulture);
            switch (fields[1], section)
            {
                case ("master", _):
                    masterPid = pid;
                    reloads = int.Parse(fields[2], CultureInfo.InvariantCulture);
                    break;
                case ("worker", "# workers"):
                    workers.Add(pid);
                    break;
                case ("worker", "# old workers"):
                    oldWorkers.Add(pid);
                    break;
            }
        }

        return new MasterProcessList(
            masterPid ?? throw new FormatException($"no master in show proc output:\n{text}"), reloads, workers, oldWorkers);
    }
}
