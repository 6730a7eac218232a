namespace Reconciler.Actors.Journal;

/// <summary>A quarantined key as the journal keeps it: its name, cut and escaped, and the checker's line.</summary>
public sealed record JournalQuarantinedKey(string Key, string Reason);
