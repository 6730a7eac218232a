using System.ComponentModel;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Reconciler.Actors.Output;

/// <summary>
/// A child started with posix_spawn in a session of its own from its first instruction (<c>POSIX_SPAWN_SETSID</c>):
/// its pid is its process group id at once, so a kill of the group reaches everything it starts. That is what
/// <c>setsid sh -c</c> did through <see cref="System.Diagnostics.Process"/>, with one exec fewer (~2.6 ms of every check
/// and reload: bench/results.md, "Footprint, second round"). stdin is /dev/null, stdout and stderr have a pipe each
/// (a failure's summary is its stderr's first line, not what stdout said around it), the
/// signal mask is emptied and every disposition reset (a signal the runtime ignores must not stay ignored in the
/// command), and the environment is exactly the one given. Reaped by <c>waitpid</c> on a thread of its own: .NET reaps
/// only the children its Process class started.
/// </summary>
internal sealed class SpawnedProcess : IDisposable
{
    private SpawnedProcess(int id, Stream output, Stream errors)
    {
        Id = id;
        Output = output;
        Errors = errors;
        Exited = Task.Factory.StartNew(() => WaitForExit(id), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The pid, which is also the process group id.</summary>
    public int Id { get; }

    /// <summary>stdout as written; ends once every process holding the pipe has closed it.</summary>
    public Stream Output { get; }

    /// <summary>stderr as written; ends once every process holding the pipe has closed it.</summary>
    public Stream Errors { get; }

    /// <summary>The exit code once reaped: the exit status, or 128 + the signal that ended it (as a shell reports it).</summary>
    public Task<int> Exited { get; }

    /// <exception cref="InvalidOperationException">The executable could not be started (the message says why).</exception>
    public static SpawnedProcess Start(string path, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var pipe = Pipe(path);
        int[] errorPipe;
        try
        {
            errorPipe = Pipe(path);
        }
        catch (InvalidOperationException)
        {
            _ = LibC.close(pipe[0]);
            _ = LibC.close(pipe[1]);
            throw;
        }

        var output = new SafePipeHandle(pipe[0], ownsHandle: true);
        var errors = new SafePipeHandle(errorPipe[0], ownsHandle: true);
        var strings = new List<IntPtr>();
        var actions = LibC.AllocZeroed(LibC.SpawnStructBytes);
        var attributes = LibC.AllocZeroed(LibC.SpawnStructBytes);
        var signals = LibC.AllocZeroed(LibC.SpawnStructBytes);
        try
        {
            _ = LibC.posix_spawn_file_actions_init(actions);
            _ = LibC.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", LibC.O_RDONLY, 0);
            _ = LibC.posix_spawn_file_actions_adddup2(actions, pipe[1], 1);
            _ = LibC.posix_spawn_file_actions_adddup2(actions, errorPipe[1], 2);
            _ = LibC.posix_spawnattr_init(attributes);
            _ = LibC.posix_spawnattr_setflags(attributes, LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF);
            _ = LibC.sigemptyset(signals);
            _ = LibC.posix_spawnattr_setsigmask(attributes, signals);
            _ = LibC.sigfillset(signals);
            _ = LibC.posix_spawnattr_setsigdefault(attributes, signals);

            var argv = NullTerminated([path, .. arguments], strings);
            var envp = NullTerminated([.. environment.Select(variable => $"{variable.Key}={variable.Value}")], strings);
            var error = ChildSubreaper.Spawn(() => (LibC.posix_spawn(out var spawned, path, actions, attributes, argv, envp), spawned), out var pid);
            if (error != 0)
            {
                output.Dispose();
                errors.Dispose();
                throw new InvalidOperationException($"cannot start {path}: {new Win32Exception(error).Message}");
            }

            // a pipe stream (on Linux its async reads go through the runtime's socket engine): a job that keeps the pipe
            // open holds no thread
            return new SpawnedProcess(pid, new AnonymousPipeClientStream(PipeDirection.In, output), new AnonymousPipeClientStream(PipeDirection.In, errors));
        }
        finally
        {
            // the parent's copies of the write ends: once the child and its jobs close theirs, Output and Errors end
            _ = LibC.close(pipe[1]);
            _ = LibC.close(errorPipe[1]);
            _ = LibC.posix_spawn_file_actions_destroy(actions);
            _ = LibC.posix_spawnattr_destroy(attributes);
            foreach (var memory in strings.Append(actions).Append(attributes).Append(signals))
            {
                Marshal.FreeCoTaskMem(memory);
            }
        }
    }

    /// <summary>
    /// SIGKILL to the command, everything it started that is still running (a job that left the process group with
    /// <c>setsid</c> included) and every member of its process group. First each is stopped, round after round until a
    /// walk of /proc finds no one new: stopped, a process starts nothing and cannot exit and hand its children to another
    /// parent, and the pid of one that is already seen cannot be reused before it is killed (a stopped parent does not
    /// reap it). The walk follows parents, so a job whose parent exited before this and that left the group is not
    /// found: the daemon, as a child subreaper (<see cref="ChildSubreaper"/>), is its parent now.
    /// </summary>
    public void KillTree()
    {
        const int MaxRounds = 64;
        var stopped = new HashSet<int>();
        for (var round = 0; round < MaxRounds; round++)
        {
            var found = ProcessTable.Read().TreeOf(Id).Where(stopped.Add).ToList();
            if (found.Count == 0)
            {
                break;
            }

            foreach (var id in found)
            {
                _ = LibC.kill(id, LibC.SIGSTOP);
            }
        }

        foreach (var id in stopped)
        {
            _ = LibC.kill(id, LibC.SIGKILL);
        }

        _ = LibC.kill(-Id, LibC.SIGKILL);
    }

    public void Dispose()
    {
        Output.Dispose();
        Errors.Dispose();
    }

    private static int[] Pipe(string path)
    {
        var pipe = new int[2];
        return LibC.pipe2(pipe, LibC.O_CLOEXEC) == 0
            ? pipe
            : throw new InvalidOperationException($"cannot start {path}: pipe: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
    }

    private static int WaitForExit(int pid)
    {
        while (true)
        {
            if (LibC.waitpid(pid, out var status, 0) == pid)
            {
                ChildSubreaper.Reaped(pid);
                var signal = status & 0x7f;
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error != LibC.EINTR)
            {
                // ECHILD: reaped by someone else, the status lost (the usual cause, SIGCHLD ignored at start, ChildSignal undoes)
                throw new InvalidOperationException($"cannot learn how process {pid} exited: {new Win32Exception(error).Message}");
            }
        }
    }

    private static IntPtr[] NullTerminated(IReadOnlyList<string> values, List<IntPtr> allocated)
    {
        var pointers = new IntPtr[values.Count + 1];
        for (var i = 0; i < values.Count; i++)
        {
            pointers[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
            allocated.Add(pointers[i]);
        }

        return pointers;
    }
}
