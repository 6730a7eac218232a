using System.Text;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration.Confd;
using Reconciler.Actors.Confd;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Confd;

/// <summary>
/// The differential test: every corpus case rendered by confd and by Reconciler (the same confd folder read by
/// <see cref="ConfdDirectory"/>, the template converted and rendered over the same keys read from the same etcd)
/// must be byte-identical, or refused by the converter for the reason the case declares. Skipped without confd.
/// </summary>
public sealed class ConfdDifferentialTests(ConfdCorpusRun run) : IClassFixture<ConfdCorpusRun>
{
    private static readonly DebounceSettings NoDebounce = new(TimeSpan.Zero, TimeSpan.Zero);

    public static TheoryData<string> Cases => [.. ConfdCorpusCase.All().Select(corpusCase => corpusCase.Name)];

    [ConfdTheory]
    [MemberData(nameof(Cases))]
    public async Task Reconciler_writes_what_confd_writes_or_refuses_the_template(string name)
    {
        var corpusCase = ConfdCorpusCase.All().Single(c => c.Name == name);
        var resource = ConfdDirectory.Open(run.ConfdFolder).ReadTemplateResources(NoDebounce).Single(t => t.Name == name);
        var conversion = GoTemplateConverter.Convert(File.ReadAllText(resource.Src));
        if (corpusCase.ExpectedRefusal is { } reason)
        {
            Assert.False(conversion.IsComplete, $"{name} converted, but the case expects a refusal for: {reason}");
            Assert.Contains(conversion.Problems, problem => problem.Message.Contains(reason, StringComparison.Ordinal));
            return;
        }

        Assert.True(conversion.IsComplete, string.Join("; ", conversion.Problems));
        await using var etcd = new EtcdKeyValueSource(run.Etcd.ConnectionOptions);
        var snapshot = await etcd.ReadAsync(resource.Keys, CancellationToken.None);
        var state = DesiredState.Empty.Reloaded(snapshot.Keys, snapshot.Revision).State;
        var template = TemplateLoader.Load(resource.Src, TemplateSyntax.GoTemplate, resource.KeyPrefix);

        if (corpusCase.ConfdFails)
        {
            Assert.Null(run.ConfdOutput(name));
            Assert.Throws<TemplateException>(() => template.Render(state));
            return;
        }

        var expected = run.ConfdOutput(name);
        Assert.True(expected is not null, $"confd wrote nothing for {name}: {run.ConfdLog}");
        if (corpusCase.ExpectedRenderRefusal is { } renderReason)
        {
            Assert.Contains(renderReason, Assert.Throws<TemplateException>(() => template.Render(state)).Message, StringComparison.Ordinal);
            return;
        }

        var rendered = template.Render(state);
        Assert.Equal(Encoding.UTF8.GetString(expected), rendered);
        Assert.Equal(expected, Encoding.UTF8.GetBytes(rendered));
    }
}
