using System.CommandLine;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.Templates;
using Reconciler.Host.Invocation;

namespace Reconciler.Host.CommandLine;

/// <summary><c>reconciler check --config FILE</c>: validates the configuration and parses every template, then exits.</summary>
internal static class CheckConfigCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command("check", "Validate the configuration and parse every template, then exit: 0 when fine, 2 with the problem on stderr");
        common.AddConfigurationTo(command);
        command.SetAction((result, _) => ConfiguredRun.RunAsync(common.Read(result), CheckAsync));
        return command;
    }

    private static async Task<int> CheckAsync(ReconcilerSettings settings)
    {
        await using var services = new ApplyServices(settings);
        var templates = TemplateApplier.CreateAll(settings, services);
        var dns = new DnsLookup(settings.DnsServers);
        foreach (var definition in settings.Templates)
        {
            // parsing is not enough: a name the library lacks (string.upcasee, a var not set) fails the first render
            if (TemplateLoader.Load(definition.Src, definition.Syntax, definition.KeyPrefix, dns).UnknownName(definition.Variables.Keys) is { } unknown)
            {
                await Console.Error.WriteLineAsync($"reconciler: {unknown}");
                return ExitCodes.BadConfiguration;
            }
        }

        var names = templates.Count == 0 ? string.Empty : $": {string.Join(", ", templates.Select(t => t.Definition.Name))}";
        await Console.Out.WriteLineAsync($"reconciler: {settings.SourceFile}: ok, {templates.Count} template(s){names}");
        return ExitCodes.Ok;
    }
}
