namespace Reconciler.Bench;

/// <summary>A daemon under measure (Reconciler or confd): a child process that keeps one dest file in sync with etcd.</summary>
public interface IMeasuredDaemon : IDisposable
{
    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp taken just before the process was started.</summary>
    long StartedAt { get; }

    string DestPath { get; }

    MemoryUsage ReadMemory();

    /// <summary>An error carrying what the daemon last said.</summary>
    InvalidOperationException Failure(string what);
}
