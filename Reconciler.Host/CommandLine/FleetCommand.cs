using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Display;
using Reconciler.Actors.Fleet;
using Reconciler.Host.Invocation;

namespace Reconciler.Host.CommandLine;

/// <summary>
/// <c>reconciler fleet --config FILE [--json] [--template NAME]</c>: which load balancer serves what etcd holds now.
/// Reads every node's record (reconciler.fleet) and the templates' keys at one etcd revision, prints one row per node
/// and template, and exits 0 only when every one is in sync: a monitoring check as it stands. The records are any
/// writer's text: every field printed is escaped, every key that does not parse is skipped with a warning.
/// </summary>
internal static class FleetCommand
{
    private static readonly string[] Header = ["node", "template", "revision", "sha256", "outcome", "how", "age", "verdict"];

    public static Command Create(CommonOptions common)
    {
        var json = new Option<bool>("--json") { Description = "A JSON array of the rows (node, template, revision, sha256, outcome, how, age in seconds, verdict, inSync, sha256Differs)" };
        var template = new Option<string?>("--template") { Description = "Only this template" };
        var command = new Command("fleet", "Say which node serves what etcd holds now, from the records every daemon publishes (reconciler.fleet); exit 0 when all are in sync, 1 otherwise")
        {
            json, template,
        };

        // the configuration names the templates and etcd; no --state-dir: the viewer reads no journal
        command.Options.Add(common.Config);
        command.Options.Add(common.ConfdDir);
        command.SetAction((result, cancellationToken) =>
        {
            var options = common.Read(result);
            return ConfiguredRun.RunAsync(options, settings => PrintAsync(settings, result.GetValue(template), result.GetValue(json), cancellationToken));
        });
        return command;
    }

    private static async Task<int> PrintAsync(ReconcilerSettings settings, string? only, bool json, CancellationToken cancellationToken)
    {
        if (settings.Backend.Type != BackendType.Etcd)
        {
            await Console.Error.WriteLineAsync($"reconciler: {settings.SourceFile}: reconciler.backend.type is not etcd: fleet records live in etcd");
            return ExitCodes.BadConfiguration;
        }

        var templates = settings.Templates.Where(t => only is null || t.Name == only).ToList();
        if (templates.Count == 0)
        {
            await Console.Error.WriteLineAsync($"reconciler: {settings.SourceFile}: no template named {PrintableText.Of(only!)} (templates: {string.Join(", ", settings.Templates.Select(t => t.Name))})");
            return ExitCodes.BadConfiguration;
        }

        FleetSnapshot snapshot;
        try
        {
            using var reader = new EtcdFleetReader(KeyValueSourceFactory.ConnectionOptions(settings.Backend));
            snapshot = await reader.ReadAsync(settings.Fleet.Prefix, templates, cancellationToken);
        }
        catch (BackendUnavailableException e)
        {
            await Console.Error.WriteLineAsync($"reconciler: cannot read the fleet records: {e.Message}");
            return ExitCodes.Failed;
        }

        foreach (var warning in snapshot.Warnings)
        {
            await Console.Error.WriteLineAsync($"reconciler: {warning}");
        }

        var now = DateTimeOffset.UtcNow;
        var rows = new List<FleetRow>();
        var unpublished = new List<string>();
        foreach (var template in templates)
        {
            var records = snapshot.Records.Where(r => r.Template == template.Name).ToList();
            if (records.Count == 0)
            {
                unpublished.Add(template.Name);
            }

            rows.AddRange(FleetVerdicts.Judge(records, snapshot.NewestModRevisions[template.Name], now));
        }

        var unknown = snapshot.Records.Count(r => settings.Templates.All(t => t.Name != r.Template));
        if (unknown > 0 && only is null)
        {
            await Console.Error.WriteLineAsync($"reconciler: {unknown} record(s) of templates {settings.SourceFile} does not have: not judged");
        }

        foreach (var name in unpublished)
        {
            await Console.Error.WriteLineAsync($"reconciler: no node publishes {name} under {settings.Fleet.Prefix} (revision {snapshot.Revision})");
        }

        if (json)
        {
            // System.Text.Json escapes control characters and every non-ASCII one: safe on a terminal as it is
            Console.WriteLine(JsonSerializer.Serialize<IReadOnlyList<FleetRow>>(rows, FleetJson.Default.IReadOnlyListFleetRow));
        }
        else
        {
            foreach (var line in Lines(rows))
            {
                Console.WriteLine(line);
            }
        }

        return unpublished.Count == 0 && rows.All(r => r.InSync) ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static IEnumerable<string> Lines(IEnumerable<FleetRow> rows)
    {
        var cells = rows.Select(Cells).Prepend(Header).ToList();
        var widths = Enumerable.Range(0, Header.Length - 1).Select(column => cells.Max(row => row[column].Length)).ToList();
        return cells.Select(row => string.Join("  ", row.Select((cell, column) => column < widths.Count ? cell.PadRight(widths[column]) : cell)).TrimEnd());
    }

    // every cell as a terminal may show it, cut to a column's worth: a record is any writer's text
    private static string[] Cells(FleetRow row) =>
    [
        Cell(row.Node),
        Cell(row.Template),
        row.Revision.ToString(CultureInfo.InvariantCulture),
        Cell(row.Sha256.Length > 12 ? row.Sha256[..12] : row.Sha256),
        Cell(row.Outcome),
        Cell(row.How),
        FleetVerdicts.Age(row.AgeSeconds),
        Cell(row.Verdict),
    ];

    private static string Cell(string text) => PrintableText.Of(text.Length > 64 ? $"{text[..64]}…" : text);
}
