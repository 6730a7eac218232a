using System.Globalization;
using Reconciler.Actors.Output;

namespace Reconciler.Tests.Output;

/// <summary>Looks a process group up in /proc, to prove a command left nothing running.</summary>
internal static class ProcessGroup
{
    /// <summary>Pids of processes in <paramref name="groupId"/> that are still running (zombies are dead, just unreaped).</summary>
    private static int[] LiveMembers(int groupId) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => (Pid: int.Parse(name!, CultureInfo.InvariantCulture), Stat: ReadStat(name!)))
            .Where(p => p.Stat is { } stat && stat.GroupId == groupId && stat.State is not ('Z' or 'X'))
            .Select(p => p.Pid)];

    /// <summary>
    /// Asserts that the group has no live member within a few seconds (SIGKILLed processes finish dying
    /// asynchronously). On failure kills the group, so a failing test leaves nothing running.
    /// </summary>
    public static async Task AssertGoneAsync(int groupId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var members = LiveMembers(groupId);
        while (members.Length > 0 && !deadline.IsCancellationRequested)
        {
            await Task.Delay(20, CancellationToken.None);
            members = LiveMembers(groupId);
        }

        if (members.Length > 0)
        {
            _ = LibC.kill(-groupId, LibC.SIGKILL);
            Assert.Fail($"process group {groupId} still has live members: {string.Join(", ", members)}");
        }
    }

    /// <summary>The group id of this test process, which commands must not share.</summary>
    public static int Own() => ReadStat("self")!.Value.GroupId;

    private static (char State, int GroupId)? ReadStat(string pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null; // exited while we looked
        }

        // "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses, so parse after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (fields[0][0], int.Parse(fields[2], CultureInfo.InvariantCulture));
    }
}
