using Microsoft.Extensions.Logging;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.State;

namespace Reconciler.Host.Daemon;

/// <summary>One full read of the backend, folded into a desired state: what the one-shot commands (<c>--onetime</c>, <c>--noop</c>, <c>render</c>) work from.</summary>
internal static class CurrentState
{
    /// <param name="revision">The keys as they were at this etcd revision; null = now.</param>
    /// <returns>The state and its change from nothing; null (and an error logged) when the backend cannot be read.</returns>
    public static async Task<(DesiredState State, StateChange Change)?> ReadAsync(ReconcilerSettings settings, ILogger logger, CancellationToken cancellationToken, long? revision = null)
    {
        await using var source = KeyValueSourceFactory.Create(settings.Backend);
        try
        {
            var snapshot = revision is { } at
                ? await source.ReadAtAsync(settings.WatchedPrefixes, at, cancellationToken)
                : await source.ReadAsync(settings.WatchedPrefixes, cancellationToken);
            return DesiredState.Empty.Reloaded(snapshot.Keys, snapshot.Revision);
        }
        catch (BackendUnavailableException e)
        {
            logger.LogError("Cannot read keys from {Backend}: {Reason}", source.Description, e.Message);
            return null;
        }
        catch (RevisionUnavailableException e)
        {
            logger.LogError("Cannot read keys at revision {Revision}: {Reason}", revision, e.Message);
            return null;
        }
    }
}
