using System.Collections.Immutable;
using Akka.Actor;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Configuration;

namespace Reconciler.Actors.Pipeline;

/// <summary>Host → root: a re-read (SIGHUP) configuration that passed validation; apply what changed.</summary>
public sealed record ApplyConfiguration(ReconcilerSettings Settings, IReadOnlyList<TemplateApplier> Templates);

/// <summary>Root → state: the renderers after a configuration reload; <paramref name="Render"/> names the new or changed ones to render now.</summary>
internal sealed record ReplaceTemplates(
    IReadOnlyList<(TemplateDefinition Definition, IActorRef Renderer)> Templates,
    ImmutableHashSet<string> Render);

/// <summary>State → root: the state actor was restarted and lost the desired state; the pipeline must start over.</summary>
internal sealed record DesiredStateLost(string Reason);

/// <summary>Shutdown: stop taking new work, finish what is running, then answer <see cref="Drained"/>.</summary>
public sealed record Drain
{
    public static readonly Drain Instance = new();
}

public sealed record Drained
{
    public static readonly Drained Instance = new();
}

/// <summary>Asks the root whether every actor of the pipeline answers within <paramref name="Timeout"/>.</summary>
public sealed record ProbePipeline(TimeSpan Timeout);

/// <summary>The probe's answer: the actors that did not answer in time or are stuck (with why); empty when the pipeline is alive.</summary>
public sealed record PipelineProbed(ImmutableArray<string> Unresponsive)
{
    public bool Alive => Unresponsive.IsEmpty;
}
