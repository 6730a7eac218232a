using System.Collections.Immutable;

namespace Reconciler.Actors.Runtime;

/// <summary>One step of a <see cref="HaproxyRuntimePlan"/>.</summary>
public abstract record HaproxyRuntimeStep;

/// <summary>
/// Send <paramref name="Command"/> to the admin socket. HAProxy answers a successful one with nothing, or with
/// <paramref name="Success"/> when given; anything else is a refusal. <paramref name="AnyAnswer"/>: the answer says
/// nothing reliable (set server addr), the read-back judges it.
/// </summary>
public sealed record HaproxyCommand(string Command, string? Success = null, bool AnyAnswer = false) : HaproxyRuntimeStep;

/// <summary>Wait until these servers (backend/name), set to drain, have no sessions and nothing queued.</summary>
public sealed record HaproxyAwaitDrained(ImmutableArray<string> Servers) : HaproxyRuntimeStep;
