using System.Collections.Immutable;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Rendering;

/// <summary>
/// One render of a template: into the buffer it was given (<see cref="Rendered"/>), or why not — held back by a
/// guard (<see cref="HeldBack"/>) or failed (<see cref="Error"/>).
/// </summary>
internal sealed record RenderResult(bool Rendered, bool HeldBack, string? Error, TimeSpan Duration, int Entries)
{
    public ImmutableArray<SkippedKey> Skipped { get; init; } = [];

    /// <summary>Selections that matched no key while the template's keys hold some: an empty pool from a typo, perhaps.</summary>
    public ImmutableArray<EmptySelectionNote> EmptySelections { get; init; } = [];

    /// <summary>False for a render stopped at one of its limits: the same state would only hit it again.</summary>
    public bool WorthRetrying { get; init; } = true;
}
