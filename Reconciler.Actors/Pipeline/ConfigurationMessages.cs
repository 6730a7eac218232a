using System.Collections.Immutable;
using Akka.Actor;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Rendering;

namespace Reconciler.Actors.Pipeline;

/// <summary>Host → root: a re-read (SIGHUP) configuration that passed validation; apply what changed.</summary>
public sealed record ApplyConfiguration(ReconcilerSettings Settings, IReadOnlyList<TemplateReconciler> Templates);

/// <summary>Published on the event stream when a configuration reload starts (SIGHUP).</summary>
public sealed record ConfigurationReloading
{
    public static readonly ConfigurationReloading Instance = new();
}

/// <summary>Published on the event stream when a configuration reload was applied or rejected.</summary>
public sealed record ConfigurationReloaded(bool Succeeded);

/// <summary>Root → state: the renderers after a configuration reload; <paramref name="Render"/> names the new or changed ones to render now.</summary>
public sealed record ReplaceTemplates(
    IReadOnlyList<(TemplateDefinition Definition, IActorRef Renderer)> Templates,
    ImmutableHashSet<string> Render);

/// <summary>Published on the event stream after a configuration reload: the templates now configured.</summary>
public sealed record TemplatesConfigured(ImmutableArray<string> Names);
