using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Reconciler.Actors.Runtime;

/// <summary>One step of a <see cref="HaproxyRuntimePlan"/>.</summary>
public abstract record HaproxyRuntimeStep;

/// <summary>
/// Send <paramref name="Command"/> to the admin socket. HAProxy answers a successful one with nothing, or with exactly
/// <paramref name="Success"/> when given. <paramref name="ChangesAddress"/>: <c>set server addr</c>, whose answer
/// says what changed in one line of a known shape; the read-back judges the address itself.
/// </summary>
internal sealed partial record HaproxyCommand(string Command, string? Success = null, bool ChangesAddress = false) : HaproxyRuntimeStep
{
    /// <summary>
    /// Whether HAProxy's whole answer (not its first line) is the one a success gets: anything more is a refusal, or
    /// the answer to a command that should not have run.
    /// </summary>
    public bool Succeeded(string answer)
    {
        var trimmed = answer.Trim();
        return ChangesAddress ? AddressChanged().IsMatch(trimmed) : trimmed == (Success ?? string.Empty);
    }

    // HAProxy 2.6's answers to "set server B/S addr IP port P"; its errors ("Invalid addr 'x' by ...") end the same way
    [GeneratedRegex(@"\A(IP changed from '[^'\n]*' to '[^'\n]*'|no need to change the addr), (port changed from '[^'\n]*' to '[^'\n]*'|no need to change the port) by 'stats socket command'\z")]
    private static partial Regex AddressChanged();
}

/// <summary>Wait until these servers (backend/name), set to drain, have no sessions and nothing queued.</summary>
internal sealed record HaproxyAwaitDrained(ImmutableArray<string> Servers) : HaproxyRuntimeStep;
