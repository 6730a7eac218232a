using System.Collections.Immutable;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// The admin socket commands that turn the running pool into the one of the new file, or why they cannot
/// (<see cref="Refusal"/>: the change needs a reload). Servers that leave traffic are drained first, new ones are
/// added and enabled while the old ones drain, and the drained ones are then put in maintenance, deleted or
/// readdressed. Servers declared in the file (slots) change by <c>set server</c>, so their keywords do not matter;
/// servers the file gains or loses are dynamic (<c>add server</c>, <c>del server</c>), which refuses some keywords.
/// </summary>
public sealed record HaproxyRuntimePlan(ImmutableArray<HaproxyRuntimeStep> Steps, string? Refusal)
{
    // keywords HAProxy 2.6 refuses on "add server"; the ones it refuses that are not listed here fail at apply time
    private static readonly string[] DynamicServerRefuses = ["cookie", "redir", "resolvers", "init-addr", "namespace"];

    public int CommandCount => Steps.OfType<HaproxyCommand>().Count();

    public static HaproxyRuntimePlan For(IEnumerable<HaproxyServerChange> changes)
    {
        var leaving = new List<HaproxyCommand>();
        var joining = new List<HaproxyCommand>();
        var draining = ImmutableArray.CreateBuilder<string>();
        var afterDrain = new List<HaproxyCommand>();
        foreach (var change in changes)
        {
            if (RefusalOf(change) is { } refusal)
            {
                return new HaproxyRuntimePlan([], refusal);
            }

            var target = change.Target;
            var (old, @new) = (change.Old, change.New);
            var moves = old is not null && @new is not null && (old.Host != @new.Host || old.Port != @new.Port);
            var leaves = old is { Disabled: false } && (@new is null || @new.Disabled || moves);
            if (leaves)
            {
                leaving.Add(new HaproxyCommand($"set server {target} state drain"));
                draining.Add(target);
                afterDrain.Add(new HaproxyCommand($"set server {target} state maint"));
            }

            if (@new is null)
            {
                afterDrain.Add(new HaproxyCommand($"del server {target}", Success: "Server deleted."));
                continue;
            }

            // a server that leaves traffic changes once drained; the others at once
            var commands = leaves ? afterDrain : joining;
            if (old is null)
            {
                var keywords = @new.AddServerKeywords;
                commands.Add(new HaproxyCommand($"add server {target} {@new.Address}{(keywords.Length > 0 ? " " : string.Empty)}{keywords}", Success: "New server registered."));
            }
            else if (moves)
            {
                commands.Add(new HaproxyCommand($"set server {target} addr {@new.Host} port {@new.Port}", ChangesAddress: true));
            }

            if (old is not null && old.Weight != @new.Weight)
            {
                commands.Add(new HaproxyCommand($"set server {target} weight {@new.Weight}"));
            }

            if (@new.Disabled || (old is { Disabled: false } && !moves))
            {
                continue;
            }

            if (old is null && @new.HasCheck)
            {
                commands.Add(new HaproxyCommand($"enable health {target}")); // a dynamic server starts without checks
            }

            commands.Add(new HaproxyCommand($"set server {target} state ready"));
            if (@new.HasCheck)
            {
                // a reload starts a checked server as up until its checks say otherwise: so does this
                commands.Add(new HaproxyCommand($"set server {target} health up"));
            }
        }

        var steps = ImmutableArray.CreateBuilder<HaproxyRuntimeStep>();
        steps.AddRange(leaving);
        steps.AddRange(joining);
        if (draining.Count > 0)
        {
            steps.Add(new HaproxyAwaitDrained(draining.ToImmutable()));
        }

        steps.AddRange(afterDrain);
        return UnsafeWordIn(steps) is { } unsafeWord ? new HaproxyRuntimePlan([], unsafeWord) : new HaproxyRuntimePlan(steps.ToImmutable(), null);
    }

    // checked on the commands themselves, so whatever a change puts into one (a name, a host, a keyword) is covered
    private static string? UnsafeWordIn(IEnumerable<HaproxyRuntimeStep> steps)
    {
        foreach (var command in steps.OfType<HaproxyCommand>())
        {
            if (command.Command.Split(' ').FirstOrDefault(word => !HaproxyCliWord.IsSafe(word)) is { } word)
            {
                return $"'{HaproxyCliWord.Printable(command.Command)}' has the word '{HaproxyCliWord.Printable(word)}', which HAProxy's admin socket would not take as one word (printable ASCII only, without ; \\ ' \" # or <<)";
            }
        }

        return null;
    }

    private static string? RefusalOf(HaproxyServerChange change)
    {
        var (old, @new) = (change.Old, change.New);
        if (old is not null && @new is not null && old.FixedKeywords != @new.FixedKeywords)
        {
            return $"server {change.Target} changed beyond its address, weight and state";
        }

        if ((old is not null && !old.HasIpAddress) || (@new is not null && !@new.HasIpAddress))
        {
            return $"server {change.Target} has a host name, not an IP address";
        }

        if (old is null && @new!.Keywords.FirstOrDefault(DynamicServerRefuses.Contains) is { } refused)
        {
            return $"server {change.Target} is new and has '{refused}', which HAProxy refuses on a server added at runtime (declare slots for it)";
        }

        return null;
    }
}
