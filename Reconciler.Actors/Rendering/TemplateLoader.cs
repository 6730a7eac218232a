using Reconciler.Actors.Confd;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Rendering;

/// <summary>
/// Reads a template file into a <see cref="CompiledTemplate"/>. The conversion of a confd (Go) template happens
/// here, so that Templates/ knows nothing of the converter in Confd/ and the dependency runs Confd → Templates.
/// </summary>
public static class TemplateLoader
{
    /// <param name="path">The template file.</param>
    /// <param name="syntax">A Go template (a confd resource's) is converted to Scriban first, keeping its line numbers.</param>
    /// <param name="keyPrefix">confd's resource prefix for the key functions (see <see cref="TemplateFunctions"/>).</param>
    /// <param name="dns">What lookupIP and lookupSRV ask; the system resolver when null.</param>
    /// <exception cref="TemplateException">The file cannot be read, converted, or does not parse.</exception>
    public static CompiledTemplate Load(string path, TemplateSyntax syntax = TemplateSyntax.Scriban, string keyPrefix = "", DnsLookup? dns = null)
    {
        var sourceText = Read(path);
        return syntax == TemplateSyntax.GoTemplate
            ? CompiledTemplate.Parse(GoTemplateConverter.Convert(sourceText).ScribanOrThrow(path), path, keyPrefix, dns, asConfd: true)
            : CompiledTemplate.Parse(sourceText, path, keyPrefix, dns);
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TemplateException($"{path}: cannot read template: {e.Message}", e);
        }
    }
}
