using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Reconciler.Actors.Output;
using Reconciler.Actors.State;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Reconciler.Actors.Templates;

/// <summary>
/// A Scriban template parsed once and rendered many times, each render with its own context over one
/// <see cref="DesiredState"/>. Thread-safe: renders share only the immutable parsed template.
/// </summary>
public sealed partial class CompiledTemplate
{
    private readonly Template template;
    private readonly string keyPrefix;

    /// <summary>A confd template reads keys as confd stores and lists them (<see cref="ConfdStoredKeys.Normalised"/>).</summary>
    private readonly bool asConfd;

    // haproxySlots keeps each value in its slot from one render of this template to the next
    private readonly SlotAssignments slots = new();

    private CompiledTemplate(Template template, string filePath, string keyPrefix, string sourceText, DnsLookup dns, bool asConfd)
    {
        this.template = template;
        this.keyPrefix = keyPrefix;
        this.asConfd = asConfd;
        Dns = dns;
        FilePath = filePath;
        SourceText = sourceText;
    }

    public string FilePath { get; }

    /// <summary>Where haproxySlots placed each value in the last render.</summary>
    internal SlotAssignments Slots => slots;

    /// <summary>What the template's lookupIP and lookupSRV ask.</summary>
    public DnsLookup Dns { get; }

    /// <summary>The text the template was parsed from.</summary>
    public string SourceText { get; }

    /// <param name="sourceText">Scriban text; a confd (Go) template arrives already converted.</param>
    /// <param name="filePath">The file the text came from, named in errors.</param>
    /// <param name="keyPrefix">confd's resource prefix for the key functions (see <see cref="TemplateFunctions"/>).</param>
    /// <param name="dns">What lookupIP and lookupSRV ask; the system resolver when null.</param>
    /// <param name="asConfd">A converted confd template: its functions read and list keys as confd's do.</param>
    /// <exception cref="TemplateException">The text does not parse; the message names the first error's position.</exception>
    public static CompiledTemplate Parse(string sourceText, string filePath, string keyPrefix = "", DnsLookup? dns = null, bool asConfd = false)
    {
        var template = Template.Parse(sourceText, filePath);
        if (template.HasErrors)
        {
            var error = template.Messages.First(message => message.Type == ParserMessageType.Error);
            throw new TemplateException(GoTemplateAction().Match(sourceText) is { Success: true } go
                ? $"{filePath}({Position(sourceText, go.Index)}): this looks like a Go template: convert it with `reconciler convert-template`, or point `--confd-dir` at its confd folder (Scriban: {error.Message.ReplaceLineEndings(" ")})"
                : Locate(filePath, error.Span, error.Message));
        }

        return new CompiledTemplate(template, filePath, keyPrefix, sourceText, dns ?? DnsLookup.System, asConfd);
    }

    /// <summary>
    /// The first name the template reads that exists nowhere (<see cref="TemplateNameCheck"/>), as
    /// <c>file(line,col): unknown …; did you mean …?</c>; null when every name resolves. For <c>check</c>: a render
    /// would fail on it.
    /// </summary>
    /// <param name="variables">The template's vars.</param>
    public string? UnknownName(IEnumerable<string> variables)
    {
        if (template.Page is not { } page)
        {
            return null;
        }

        var functions = new TemplateFunctions(DesiredState.Empty, keyPrefix, Dns, asConfd);
        return TemplateNameCheck.FirstUnknown(page, CreateBuiltins(), [.. functions.Keys, .. variables]) is { } unknown
            ? Locate(FilePath, unknown.Span, unknown.Problem)
            : null;
    }

    /// <inheritdoc cref="Render(DesiredState, IReadOnlyDictionary{string, object}, CancellationToken)"/>
    public string Render(DesiredState state, CancellationToken cancellationToken) => Render(state, null, cancellationToken);

    /// <summary>Renders over <paramref name="state"/>, with <paramref name="variables"/> as extra globals (plain data).</summary>
    /// <exception cref="TemplateException">The template failed, e.g. <c>getv</c> of a missing key; the message names the position.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> aborted the render.</exception>
    public string Render(DesiredState state, IReadOnlyDictionary<string, object?>? variables = null, CancellationToken cancellationToken = default)
    {
        var context = CreateContext(state, variables, cancellationToken, out _);
        var rendered = string.Empty;
        Translating(() => rendered = template.Render(context), cancellationToken);
        return rendered;
    }

    /// <summary>
    /// Renders like <see cref="Render(DesiredState, IReadOnlyDictionary{string, object}, CancellationToken)"/>, replacing
    /// <paramref name="output"/>'s content: the text goes straight into its reused chunks, never into one string.
    /// A render past one of <paramref name="limits"/> is stopped where it is (Scriban checks the token at every loop
    /// step and call) and fails.
    /// </summary>
    /// <exception cref="TemplateException">
    /// The template failed, or passed a limit (<see cref="TemplateException.LimitExceeded"/>); <paramref name="output"/>
    /// holds a part of the output.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> aborted the render.</exception>
    /// <returns>The keys the render left out under <see cref="RenderLimits.Values"/> and <c>instances</c>, and the selections that matched no key.</returns>
    public RenderFindings Render(DesiredState state, IReadOnlyDictionary<string, object?>? variables, ContentBuffer output, RenderLimits limits, CancellationToken cancellationToken)
    {
        output.Clear();
        output.Limit = limits.MaxOutputBytes;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limits.Timeout);
        var guard = new ValueGuard(limits.Values);
        var context = CreateContext(state, variables, deadline.Token, out var functions, guard);
        context.PushOutput(output);
        try
        {
            Translating(() => RenderPage(context), deadline.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TemplateException($"{FilePath}: stopped after {Seconds(limits.Timeout)} (render-timeout)", e) { LimitExceeded = true };
        }
        catch (Exception e) when (ContentLimit(e) is { } exceeded)
        {
            var at = e is ScriptRuntimeException runtime ? Locate(FilePath, runtime.Span, string.Empty).TrimEnd(' ', ':') : FilePath;
            throw new TemplateException($"{at}: output passed {exceeded.Limit} bytes (max-output-bytes)", e) { LimitExceeded = true };
        }

        output.Complete();
        return new RenderFindings(guard.Skipped, functions.EmptySelections);
    }

    /// <summary>
    /// What <see cref="Template.Render(TemplateContext)"/> does, minus its final <c>Output.ToString()</c>, which
    /// would copy the whole output into a string.
    /// </summary>
    private void RenderPage(TemplateContext context)
    {
        if (template.Page is not { } page)
        {
            return;
        }

        context.PushSourceFile(FilePath);
        try
        {
            var result = context.Evaluate(page);
            if (context.EnableOutput && result is not null)
            {
                context.Write(page.Span, result);
            }
        }
        finally
        {
            context.PopSourceFile();
        }
    }

    private void Translating(Action render, CancellationToken cancellationToken)
    {
        try
        {
            render();
        }
        catch (ValueLimitExceededException held)
        {
            throw new TemplateException($"{held.Limit}: {FilePath}: {held.Message}", held) { HeldBack = true };
        }
        catch (ScriptRuntimeException e) when (ContentLimit(e) is not null)
        {
            throw;
        }
        catch (ScriptRuntimeException e) when (e.InnerException is ValueLimitExceededException held)
        {
            throw new TemplateException($"{held.Limit}: {Locate(FilePath, e.Span, string.Empty).TrimEnd(' ', ':')}: {held.Message}", e) { HeldBack = true };
        }
        catch (ScriptRuntimeException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"Rendering {FilePath} was cancelled.", e, cancellationToken);
        }
        catch (ScriptRuntimeException e)
        {
            throw new TemplateException(Locate(FilePath, e.Span, e.OriginalMessage), e);
        }
    }

    private TemplateContext CreateContext(DesiredState state, IReadOnlyDictionary<string, object?>? variables, CancellationToken cancellationToken, out TemplateFunctions functions, ValueGuard? guard = null)
    {
        var context = new TemplateContext(CreateBuiltins())
        {
            StrictVariables = true,
            MemberRenamer = member => member.Name,
            CancellationToken = cancellationToken,

            // A state can hold 100,000 keys and a config file grow accordingly: Scriban's defaults (1,000 loop
            // iterations, 1 MiB of output that is silently truncated) would fail or cut it. 0 disables them.
            LoopLimit = 0,
            LimitToString = 0,
            OutputLimit = 0,
        };
        context.PushGlobal(ToScriptObject(variables ?? ImmutableDictionary<string, object?>.Empty));

        // Pushed last so confd's names win over a variable of the same name.
        functions = asConfd
            ? new TemplateFunctions(ConfdStoredKeys.Normalised(state), keyPrefix, Dns, asConfd: true, slots: slots, guard: guard)
            : new TemplateFunctions(state, keyPrefix, Dns, slots: slots, guard: guard);
        context.PushGlobal(functions);
        return context;
    }

    /// <summary>Scriban's builtins without <c>object.eval</c>/<c>eval_template</c>: a key's value must never run as template code.</summary>
    private static ScriptObject CreateBuiltins()
    {
        var builtins = TemplateContext.GetDefaultBuiltinObject();
        if (builtins["object"] is ScriptObject objectFunctions)
        {
            objectFunctions.Remove("eval");
            objectFunctions.Remove("eval_template");
        }

        return builtins;
    }

    /// <summary>
    /// The variables as globals, and all of them as <c>vars</c> too: <c>vars.name</c> is empty for a variable the
    /// configuration does not set (where <c>name</c> alone is an error), for an optional one.
    /// </summary>
    private static ScriptObject ToScriptObject(IReadOnlyDictionary<string, object?> variables)
    {
        var globals = new ScriptObject(variables.Count + 1);
        var all = new ScriptObject(variables.Count);
        foreach (var (name, value) in variables)
        {
            globals.SetValue(name, value, readOnly: true);
            all.SetValue(name, value, readOnly: true);
        }

        all.IsReadOnly = true;
        globals.TryAdd("vars", all);
        return globals;
    }

    // Scriban wraps what a write throws when the write came from a function call
    private static ContentLimitExceededException? ContentLimit(Exception e) =>
        e as ContentLimitExceededException ?? e.InnerException as ContentLimitExceededException;

    private static string Seconds(TimeSpan time) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.###}s");

    /// <summary><c>line,col</c> of <paramref name="offset"/>, 1-based.</summary>
    private static string Position(string text, int offset)
    {
        var lineStart = offset == 0 ? 0 : text.LastIndexOf('\n', offset - 1) + 1;
        var line = 1 + text.AsSpan(0, lineStart).Count('\n');
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{line},{offset - lineStart + 1}");
    }

    // what only a Go template writes inside {{ }}: a dot ({{.}}, {{.Key}}), range/define/template/block, a $x := b, if/with on a dot
    [GeneratedRegex(@"\{\{-?\s*(?:\.|(?:range|define|template|block)\s|\$\w*\s*:?=|(?:if|with|else if)\s+(?:not\s+)?\.)")]
    private static partial Regex GoTemplateAction();

    /// <summary><c>file(line,col): message</c>, 1-based, on one line (Scriban spans are 0-based).</summary>
    private static string Locate(string filePath, SourceSpan span, string message) =>
        $"{filePath}({span.Start.Line + 1},{span.Start.Column + 1}): {message.ReplaceLineEndings(" ")}";
}
