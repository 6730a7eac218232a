using Reconciler.Actors.State;

namespace Reconciler.Actors.Configuration;

/// <summary>
/// reconciler.fleet: whether this daemon publishes what it applied, per template, as
/// <c>&lt;prefix&gt;/&lt;node&gt;/&lt;template&gt;</c> under one lease of <paramref name="Ttl"/>, for <c>reconciler fleet</c>.
/// <paramref name="Node"/> is the host name when the setting is empty.
/// </summary>
public sealed record FleetSettings(bool Enabled, string Node, KeyPrefix Prefix, TimeSpan Ttl)
{
    public static readonly FleetSettings Off = new(false, string.Empty, new KeyPrefix("/reconciler/fleet"), TimeSpan.FromSeconds(15));

    /// <summary>Where this node's record of <paramref name="template"/> goes.</summary>
    public string KeyOf(string template) => $"{Prefix.Value}/{Node}/{template}";
}
