using Microsoft.Extensions.Logging;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.State;

namespace Reconciler.Host.Daemon;

/// <summary>
/// One full read of the backend, folded into a desired state: what the one-shot commands (<c>--onetime</c>, <c>--noop</c>,
/// <c>render</c>) work from. Within reconciler.backend's limits, as the daemon's: each key left out is named (cut short and escaped).
/// </summary>
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
            foreach (var refusal in snapshot.Refused.Named)
            {
                logger.LogWarning("Key {Key} is not stored: {Reason}; no template sees it", refusal.ShownKey, refusal.Why);
            }

            if (snapshot.Refused.Count > snapshot.Refused.Named.Count)
            {
                logger.LogWarning("{Count} keys over reconciler.backend's limits are left out in all, more than are named", snapshot.Refused.Count);
            }

            return DesiredState.Empty.Reloaded(snapshot.Keys, snapshot.Revision);
        }
        catch (BackendUnavailableException e)
        {
            logger.LogError("Cannot read keys: {Reason}", e.Message); // it names the endpoint or file
            if (e.InnerException is { } cause)
            {
                logger.LogDebug("Cannot read keys from {Backend}, in the client library's words: {Cause}", source.Description, cause.Message.ReplaceLineEndings(" "));
            }
            return null;
        }
        catch (RevisionUnavailableException e)
        {
            logger.LogError("Cannot read keys at revision {Revision}: {Reason}", revision, e.Message);
            return null;
        }
    }
}
