using Reconciler.Actors.Output;

namespace Reconciler.Actors.Applying;

/// <summary>
/// What an apply does, decided from facts alone (no file, socket or command is touched here): the one place where
/// the daemon, <c>--onetime</c> and <c>--noop</c> alike decide whether to keep the file or write it, change HAProxy
/// at runtime, reload, roll back or pay an owed reload. The steps (<see cref="FileSteps"/>,
/// <see cref="ServiceSteps"/>) gather the facts and carry out the answer.
/// </summary>
internal static class ApplyDecision
{
    /// <summary>What to do with a render; each fact is only looked at when the ones before it let the render through.</summary>
    public static FileStep ForFile(FileFacts facts) => facts switch
    {
        { Render: RenderState.HeldBack } => FileStep.HoldBack,
        { Render: RenderState.Failed } => FileStep.FailRender,
        { UnfitForRuntime: true } => FileStep.Refuse, // as a failed check: the keys must change before it can pass
        { DestIsCurrent: true } => FileStep.Keep,
        { DryRun: true } => FileStep.CheckCopy,
        _ => FileStep.Replace,
    };

    /// <summary>
    /// How the service is brought to the file the write left: a written file (or an unchanged one whose reload is
    /// owed) at runtime when the change is of the runtime API's kind and HAProxy runs the file that was replaced, else
    /// by the reload command (once for the batch); nothing without a reload command, and nothing for a dry run.
    /// </summary>
    public static ServiceStep ForService(ServiceFacts facts)
    {
        var written = facts.File == ReconcileStatus.Written;
        var owedOnly = facts.File == ReconcileStatus.Unchanged && facts.IsOwed;
        if (facts.DryRun || !facts.HasReloadCommand || !(written || owedOnly))
        {
            return ServiceStep.Nothing;
        }

        if (written && facts.Runtime == RuntimeFit.Fits && !facts.WasOwed)
        {
            return ServiceStep.RuntimeChange;
        }

        return ServiceStep.ReloadFor(facts switch
        {
            { File: ReconcileStatus.Unchanged } => ReloadCause.Owed,
            { Runtime: RuntimeFit.Beyond } => ReloadCause.BeyondRuntime,
            { Runtime: RuntimeFit.Fits } => ReloadCause.Owed, // of the runtime API's kind, but an earlier file is not in HAProxy yet
            _ => ReloadCause.Changed,
        });
    }

    /// <summary>A runtime change applied brings HAProxy to the file; one refused or failed falls back to a reload.</summary>
    public static ServiceStep AfterRuntimeChange(bool applied) => applied ? ServiceStep.PayOwed : ServiceStep.ReloadFor(ReloadCause.Fallback);

    /// <summary>
    /// After a reload: paid when it succeeded; when it failed, the previous file is put back (and reloaded) if
    /// configured and this apply wrote a new one, else the reload stays owed (the renderer's retry pays it). A reload
    /// that was cancelled (shutdown, or the reloader restarted before it ran) says nothing of the file: it stays owed.
    /// </summary>
    public static ReloadFollowUp AfterReload(CommandResult reload, bool rollbackOnFailure, ReconcileStatus file) => reload.Succeeded
        ? ReloadFollowUp.PayOwed
        : rollbackOnFailure && file == ReconcileStatus.Written && !reload.Cancelled ? ReloadFollowUp.RollBack : ReloadFollowUp.LeaveOwed;
}
