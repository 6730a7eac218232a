namespace Reconciler.Actors.Templates;

/// <summary>What a render that succeeded noticed on the way: the keys it left out and the selections that matched none.</summary>
public sealed record RenderFindings(IReadOnlyCollection<SkippedKey> Skipped, IReadOnlyList<EmptySelection> EmptySelections);
