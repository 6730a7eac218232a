namespace Reconciler.Actors.State;

/// <summary>
/// A refused key was read off the wire all the same (gRPC hands on whole messages, a value of a megabyte as a large
/// object), and a put the state refuses for max-prefix-bytes was decoded before the prefix's total was known. Large
/// objects are freed only by a full collection, which a flood of them can put off until RSS has grown by hundreds of MB
/// (measured with 300 MB refused: a peak RSS of 414 to 592 MiB without this, 314 to 330 MiB with it). So every <see cref="BytesPerCollection"/> of
/// them, one full collection returns them: nothing when nothing is refused, a few ms per 32 MiB of a flood.
/// Process-wide, as the heap it frees is.
/// </summary>
internal static class RefusedGarbage
{
    public const long BytesPerCollection = 32L * 1024 * 1024;

    private static long _bytes;

    public static void Discarded(long bytes)
    {
        if (bytes > 0 && Interlocked.Add(ref _bytes, bytes) >= BytesPerCollection)
        {
            Interlocked.Exchange(ref _bytes, 0);
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        }
    }
}
