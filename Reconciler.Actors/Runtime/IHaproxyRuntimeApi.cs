namespace Reconciler.Actors.Runtime;

/// <summary>
/// What one <c>runtime.type</c> changes in a running HAProxy without a reload, and how it reads it back. The file is
/// written first and stays the truth: <see cref="ApplyAsync"/> reaches the state a reload of it would give, and
/// <see cref="CompareAsync"/> tells whether HAProxy runs the file's state.
/// </summary>
internal interface IHaproxyRuntimeApi
{
    /// <summary>
    /// Why <paramref name="rendered"/> must not replace dest at all, HAProxy being sure to refuse it (a key that is
    /// not its certificate's, say): like a failed check, dest and HAProxy are left as they are. Null when it may.
    /// </summary>
    string? Unfit(Func<string> rendered);

    /// <summary>How <paramref name="live"/> (the file HAProxy was last brought to) → <paramref name="rendered"/> can reach HAProxy.</summary>
    RuntimeChange ChangeBetween(string live, string rendered);

    /// <summary>How long <paramref name="change"/> may take once its turn came, beyond which it is abandoned for a reload.</summary>
    TimeSpan BoundFor(RuntimeChange change, TimeSpan commandTimeout);

    /// <summary>Applies <paramref name="change"/> and reads it back; never throws for what HAProxy answers or a socket that is gone.</summary>
    Task<RuntimeApplyResult> ApplyAsync(RuntimeChange change, CancellationToken cancellationToken);

    /// <summary>Null when HAProxy runs the state of <paramref name="file"/>, else what differs (one line).</summary>
    /// <exception cref="HaproxySocketException">The socket could not be asked.</exception>
    Task<string?> CompareAsync(string file, CancellationToken cancellationToken);
}
