using System.Collections.Immutable;

namespace Reconciler.Actors.Pipeline;

/// <summary>Published on the event stream by the watcher: the backend became reachable, or failed (<paramref name="NoLeader"/>: answering, but without a leader).</summary>
public sealed record BackendStatusChanged(string Backend, bool Reachable, string? Reason, bool NoLeader = false);

/// <summary>Published on the event stream by the state actor after each fold step that moved the state.</summary>
public sealed record StateAdvanced(long Revision, int EventsApplied, int KeyCount);

/// <summary>Published on the event stream by the state actor: puts it did not store, by the limit they were over (reconciler.backend.max-*-bytes).</summary>
public sealed record KeysRefused(int KeyBytes, int ValueBytes, int PrefixBytes);

/// <summary>Published on the event stream when a configuration reload starts (SIGHUP).</summary>
public sealed record ConfigurationReloading
{
    public static readonly ConfigurationReloading Instance = new();
}

/// <summary>Published on the event stream when a configuration reload was applied or rejected.</summary>
public sealed record ConfigurationReloaded(bool Succeeded);

/// <summary>Published on the event stream after a configuration reload: the templates now configured.</summary>
internal sealed record TemplatesConfigured(ImmutableArray<string> Names);
