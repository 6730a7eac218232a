namespace Reconciler.Actors.Output;

/// <summary>Runs check-cmd and reload-cmd: <see cref="CommandRunner"/> in the daemon, a simulated one in the simulation tests.</summary>
public interface ICommandRunner
{
    /// <summary>Runs <paramref name="commandLine"/>; a timeout or cancellation is in the result, not thrown.</summary>
    Task<CommandResult> RunAsync(string commandLine, TimeSpan timeout, CancellationToken cancellationToken);
}
