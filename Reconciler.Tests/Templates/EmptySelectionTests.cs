using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Health;
using Reconciler.Actors.Output;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;
using static Reconciler.Tests.Fixtures.TestTemplates;

namespace Reconciler.Tests.Templates;

/// <summary>A selection that matches no key while the template's keys hold some: named once, with a did-you-mean.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class EmptySelectionTests : IAsyncDisposable
{
    // confd's classic: '*' stops at '/', so this selects nothing under /apps/web/...
    private const string Typo = "backend web\n{{ for v in getvs \"/apps/web*\" }}  server {{ v }}\n{{ end }}";

    private static readonly DesiredState Web = DesiredState.From([KeyValuePair.Create("/apps/web/a", "10.0.0.1:80"), KeyValuePair.Create("/apps/web/b", "10.0.0.2:80")], 3);

    private readonly TempFolder _folder = new();
    private readonly ApplyHarness _apply = new();

    public async ValueTask DisposeAsync()
    {
        await _apply.DisposeAsync();
        _folder.Dispose();
    }

    private static RenderFindings Findings(string source, DesiredState state, string prefix = "") =>
        CompiledTemplate.Parse(source, "t.sbn", keyPrefix: prefix).Render(state, null, new ContentBuffer(), RenderLimits.None, CancellationToken.None);

    [Theory]
    [InlineData("{{ getvs \"/apps/web*\" }}", "getvs", "'*' does not cross '/': did you mean /apps/web/*?")]
    [InlineData("{{ gets \"/apps/*\" }}", "gets", "'*' does not cross '/': did you mean /apps/*/*?")]
    [InlineData("{{ instances \"/apps/web\" }}", "instances", "the keys are below it: did you mean /apps/web/*?")]
    [InlineData("{{ mapEntries \"/apps/web/\" }}", "mapEntries", "a pattern ending in '/' selects only a key ending in '/': did you mean /apps/web/*?")]
    [InlineData("{{ getvs \"apps/web/*\" }}", "getvs", "keys start with '/': did you mean /apps/web/*?")]
    [InlineData("{{ ls \"apps/web\" }}", "ls", "keys start with '/': did you mean /apps/web?")]
    [InlineData("{{ lsdir \"/apps/db\" }}", "lsdir", null)]
    public void Each_selecting_function_notes_a_selection_of_nothing_with_its_line_and_a_hint(string call, string function, string? hint)
    {
        var findings = Findings("x\n\n" + call, Web);

        var empty = Assert.Single(findings.EmptySelections);
        Assert.Equal(function, empty.Function);
        Assert.Equal(3, empty.Line);
        Assert.Equal(hint, empty.Hint);
    }

    [Fact]
    public void A_selection_that_matches_notes_nothing_nor_does_one_under_a_confd_prefix_that_matches()
    {
        Assert.Empty(Findings("{{ getvs \"/apps/web/*\" }}{{ ls \"/apps\" }}{{ instances \"/apps/web/*\" }}", Web).EmptySelections);
        Assert.Empty(Findings("{{ getvs \"/web/*\" }}", Web, prefix: "/apps").EmptySelections);
        Assert.Equal("'*' does not cross '/': did you mean /web/*?", Assert.Single(Findings("{{ getvs \"/web*\" }}", Web, prefix: "/apps").EmptySelections).Hint);
    }

    [Fact]
    public async Task An_empty_selection_is_warned_once_per_state_and_named_in_health_and_again_after_it_matched()
    {
        var dest = _folder["haproxy.cfg"];
        var applier = _apply.Applier(Definition(dest), Typo);
        var moreWeb = DesiredState.From([.. Web.Keys, KeyValuePair.Create("/apps/web/c", "10.0.0.3:80")], 4);

        var first = await _apply.ApplyAsync(applier, Web);
        await _apply.ApplyAsync(applier, moreWeb);

        var warnings = Warnings();
        var warning = Assert.Single(warnings);
        Assert.Equal(
            "t: t.sbn:2: getvs \"/apps/web*\" selects no key, though /apps holds 2 keys ('*' does not cross '/': did you mean /apps/web/*?); the file is written as rendered",
            warning);
        Assert.Equal("backend web\n", File.ReadAllText(dest)); // not held back: see docs/templates.md, "A selection that selects nothing"
        var health = TemplateHealth.Pending("t").After(first, DateTimeOffset.UnixEpoch);
        Assert.True(health.Healthy);
        Assert.Contains("empty 1 selection(s): t.sbn:2: getvs \"/apps/web*\" selects no key", health.LastError);

        // fixed, then broken again: said again
        await _apply.ApplyAsync(applier, DesiredState.From([KeyValuePair.Create("/apps/webby", "x")], 5));
        await _apply.ApplyAsync(applier, DesiredState.From(Web.Keys, 6));
        Assert.Equal(2, Warnings().Count);
    }

    [Fact]
    public async Task An_empty_registry_is_no_news()
    {
        var applier = _apply.Applier(Definition(_folder["haproxy.cfg"]), Typo);

        var reconciled = await _apply.ApplyAsync(applier, DesiredState.Empty);

        Assert.Empty(reconciled.Outcome.EmptySelections);
        Assert.Empty(Warnings());
    }

    private List<string> Warnings() =>
        [.. _apply.Logs.Lines.Where(l => l.Level == LogLevel.Warning && l.Message.Contains("selects no key")).Select(l => l.Message)];
}
