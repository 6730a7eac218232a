using System.Security.Cryptography;
using Akka.Actor;
using Reconciler.Actors.Applying;

namespace Reconciler.Actors.Fleet;

/// <summary>
/// Turns each <see cref="TemplateReconciled"/> on the event stream into a <see cref="TemplateApplied"/>: reads dest
/// back (off the apply's path: the apply has already been published), hashes it, and folds it in
/// <see cref="AppliedFiles"/>. One file at a time, in the order the applies came, so a template's fold sees its
/// applies in order.
/// </summary>
public sealed class AppliedFileActor : ReceiveActor, IWithStash
{
    private readonly AppliedFiles _files = new();

    public AppliedFileActor()
    {
        Ready();
    }

    public IStash Stash { get; set; } = null!;

    /// <summary>What it listens to; subscribe it before starting the pipeline (see <see cref="Health.StatusActor.Topics"/>).</summary>
    public static IReadOnlyList<Type> Topics { get; } = [typeof(TemplateReconciled)];

    public static Props Props() => Akka.Actor.Props.Create(() => new AppliedFileActor());

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Ready() => Receive<TemplateReconciled>(reconciled =>
    {
        // any failure is "no file to read": the actor must get back to Ready, whatever the hashing threw
        Sha256Of(reconciled.Outcome.Dest).PipeTo(Self, success: sha256 => new Hashed(reconciled, sha256), failure: _ => new Hashed(reconciled, string.Empty));
        Become(Hashing);
    });

    private void Hashing()
    {
        Receive<Hashed>(hashed =>
        {
            Context.System.EventStream.Publish(_files.After(hashed.Reconciled, hashed.Sha256, Context.System.Scheduler.Now));
            Stash.UnstashAll();
            Become(Ready);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    /// <summary>Lower-case hex, as sha256sum prints it; empty when there is no file to read.</summary>
    private static async Task<string> Sha256Of(string path)
    {
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private sealed record Hashed(TemplateReconciled Reconciled, string Sha256);
}
