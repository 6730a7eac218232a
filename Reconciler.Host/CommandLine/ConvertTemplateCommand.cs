using System.CommandLine;
using Reconciler.Actors.Confd;
using Reconciler.Host.Invocation;

namespace Reconciler.Host.CommandLine;

/// <summary>
/// <c>reconciler convert-template FILE</c>: prints a confd (Go) template converted to Reconciler's Scriban dialect,
/// and on stderr every construct it could not convert, by line; exit 0 when fully converted, 2 otherwise.
/// </summary>
internal static class ConvertTemplateCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "confd template (Go text/template), e.g. /etc/confd/templates/haproxy.cfg.tmpl" };
        var command = new Command("convert-template", "Convert a confd (Go) template to Reconciler's Scriban dialect and print it") { file };
        command.SetAction((ParseResult result, CancellationToken cancellationToken) => RunAsync(result.GetValue(file)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string path, CancellationToken cancellationToken)
    {
        string source;
        try
        {
            source = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"reconciler: {path}: cannot read: {e.Message}");
            return ExitCodes.BadConfiguration;
        }

        var conversion = GoTemplateConverter.Convert(source);
        await Console.Out.WriteAsync(conversion.Scriban);
        foreach (var problem in conversion.Problems)
        {
            await Console.Error.WriteLineAsync($"reconciler: {problem.In(path)}");
        }

        return conversion.IsComplete ? ExitCodes.Ok : ExitCodes.BadConfiguration;
    }
}
