using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Display;
using Reconciler.Actors.Journal;
using Reconciler.Actors.Templates;
using Reconciler.Host.Invocation;

namespace Reconciler.Host.CommandLine;

/// <summary>
/// <c>reconciler history --config FILE [TEMPLATE] [--limit N] [--json] [--show N]</c>: the apply journal, newest
/// last; "why did it reload at 03:12, and what changed" in one command. Reads the file only, so it works while the
/// daemon runs.
/// </summary>
internal static class HistoryCommand
{
    public static Command Create(CommonOptions common)
    {
        var template = new Argument<string?>("TEMPLATE") { Description = "Only this template's applies", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit") { Description = "The newest N applies (default 20)", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "One JSON object per line, as the journal holds them" };
        var show = new Option<long?>("--show") { Description = "Print apply number N (the # column) whole, with its diff" };
        var command = new Command("history", "Print the apply journal: when, template, revision, changes, how applied, why, outcome, time")
        {
            template, limit, json, show,
        };
        common.AddConfigurationTo(command);
        command.SetAction((result, _) =>
        {
            var options = common.Read(result);
            return ConfiguredRun.RunAsync(options, settings => Task.FromResult(Print(settings, result.GetValue(template), result.GetValue(limit), result.GetValue(json), result.GetValue(show))));
        });
        return command;
    }

    private static int Print(ReconcilerSettings settings, string? template, int limit, bool json, long? show)
    {
        if (settings.StateDir.Length == 0)
        {
            Console.Error.WriteLine($"reconciler: {settings.SourceFile}: reconciler.state-dir is empty, so there is no journal (set it, e.g. \"/var/lib/reconciler\", or give --state-dir)");
            return ExitCodes.BadConfiguration;
        }

        if (template is not null && settings.Templates.All(t => t.Name != template))
        {
            Console.Error.WriteLine($"reconciler: {settings.SourceFile}: no template named {template} (templates: {string.Join(", ", settings.Templates.Select(t => t.Name))})");
            return ExitCodes.BadConfiguration;
        }

        IReadOnlyList<JournalEntry> entries;
        var path = Path.Combine(settings.StateDir, ApplyJournal.FileName);
        try
        {
            entries = [.. ApplyJournal.Read(path, out var skipped).Where(e => template is null || e.Template == template)];
            if (skipped > 0)
            {
                Console.Error.WriteLine($"reconciler: the journal {path}: {skipped} line(s) skipped (torn by a crash, not an entry, or over {ApplyJournal.MostLineBytes / 1024 / 1024} MiB)");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Console.Error.WriteLine($"reconciler: cannot read the journal {path}: {e.Message}");
            return ExitCodes.Failed;
        }

        if (show is { } number)
        {
            return entries.FirstOrDefault(e => e.Sequence == number) is { } entry
                ? PrintOne(entry, json)
                : Fail($"reconciler: the journal {path} has no apply #{number}{(template is null ? string.Empty : $" of {template}")}");
        }

        foreach (var line in json ? entries.TakeLast(limit).Select(Json) : HistoryTable.Lines(entries.TakeLast(limit)))
        {
            Console.WriteLine(line);
        }

        return ExitCodes.Ok;
    }

    private static int PrintOne(JournalEntry entry, bool json)
    {
        if (json)
        {
            Console.WriteLine(Json(entry));
            return ExitCodes.Ok;
        }

        // every field as a terminal may show it: key names and reasons are registry text, and so is the diff
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"#{entry.Sequence} {entry.Time:yyyy-MM-dd HH:mm:ss.fff}Z {PrintableText.Of(entry.Template)} revision {entry.Revision}, on {PrintableText.Of(entry.Trigger)}"));
        Console.WriteLine($"changes: +{entry.AddedCount} ~{entry.ChangedCount} -{entry.RemovedCount}");
        foreach (var (sign, keys) in new[] { ("+", entry.Added), ("~", entry.Changed), ("-", entry.Removed) })
        {
            foreach (var key in keys)
            {
                Console.WriteLine($"  {sign} {PrintableText.Of(key)}"); // cut when recorded, with its size
            }
        }

        foreach (var quarantined in entry.Quarantined ?? [])
        {
            Console.WriteLine($"quarantined: {PrintableText.Of(quarantined.Key)}: {PrintableText.Of(quarantined.Reason)}");
        }

        Console.WriteLine($"file: {PrintableText.Of(entry.File)}");
        Console.WriteLine($"applied: {PrintableText.Of(entry.Applied)}{(entry.Why is null ? string.Empty : $", because {PrintableText.Of(entry.Why)}")}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"outcome: {PrintableText.Of(HistoryTable.Outcome(entry))} in {entry.TotalMs} ms (render {entry.RenderMs} ms, check {entry.CheckMs} ms, {(entry.Applied.StartsWith("runtime", StringComparison.Ordinal) ? "runtime" : "reload")} {entry.ApplyMs} ms)"));
        foreach (var (command, output) in new[] { ("check-cmd", entry.CheckOutput), ("reload-cmd", entry.ReloadOutput) })
        {
            if (output is not null)
            {
                Console.WriteLine($"{command} output:");
                Console.Write(PrintableText.OfLines(output.EndsWith('\n') ? output : output + "\n"));
            }
        }

        Console.Write(entry.Diff is null ? "diff: none kept (unchanged, too large, or log-diff = false)\n" : PrintableText.OfLines(entry.Diff));
        return ExitCodes.Ok;
    }

    private static string Json(JournalEntry entry) => JsonSerializer.Serialize(entry, JournalJson.Default.JournalEntry);

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return ExitCodes.Failed;
    }
}
