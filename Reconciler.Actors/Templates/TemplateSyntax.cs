namespace Reconciler.Actors.Templates;

/// <summary>The language a template file is written in.</summary>
public enum TemplateSyntax
{
    /// <summary>Scriban with confd's function names: the dialect of Reconciler's own templates.</summary>
    Scriban,

    /// <summary>Go text/template as confd reads it; converted to Scriban when loaded.</summary>
    GoTemplate,
}
