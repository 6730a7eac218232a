using Reconciler.Actors.Backends;

namespace Reconciler.Actors.Registration;

/// <summary>
/// The few etcd calls a registration needs. Every method throws <see cref="BackendUnavailableException"/> when
/// etcd cannot be reached (the registration retries), <see cref="RegistrationRejectedException"/> when etcd
/// refuses the request for good (say, bad credentials), and <see cref="OperationCanceledException"/> when the
/// token is cancelled.
/// </summary>
public interface ILeaseClient : IDisposable
{
    /// <summary>The etcd endpoints, safe for logs.</summary>
    string Description { get; }

    /// <summary>A new lease that expires <paramref name="ttl"/> after its last renewal (etcd may lengthen it).</summary>
    Task<Lease> GrantAsync(TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>
    /// Puts the key attached to the lease (it goes when the lease goes), in one transaction, only when the key does
    /// not exist or already carries this lease; false, and nothing written, when it exists otherwise: another host's
    /// key is never overwritten, so revoking the lease never deletes it.
    /// </summary>
    Task<bool> PutUnlessTakenAsync(string key, string value, long leaseId, CancellationToken cancellationToken);

    /// <summary>
    /// Puts every entry attached to the lease in one transaction, whatever the keys held: for keys that are this
    /// daemon's alone (its fleet records), where a key left by its own previous run is to be taken over.
    /// </summary>
    Task PutAsync(IReadOnlyList<KeyValuePair<string, string>> entries, long leaseId, CancellationToken cancellationToken);

    /// <summary>Renews the lease; returns its time to live, <see cref="TimeSpan.Zero"/> when it expired or never existed.</summary>
    Task<TimeSpan> KeepAliveAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>Ends the lease now, deleting its keys; a lease that is already gone is not an error.</summary>
    Task RevokeAsync(long leaseId, CancellationToken cancellationToken);
}
