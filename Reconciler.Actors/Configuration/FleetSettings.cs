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

    /// <summary>
    /// Why fleet.prefix must not be used with <paramref name="templates"/>, or null: a record under a template's keys
    /// would wake its render on every node, whose apply publishes a record again, and so on between the daemons forever.
    /// </summary>
    public string? OverlapWith(IEnumerable<TemplateDefinition> templates) =>
        templates.SelectMany(t => t.Keys.Select(k => (t.Name, Key: k))).FirstOrDefault(t => Prefix.IsWithin(t.Key) || t.Key.IsWithin(Prefix)) is { Name: not null } overlap
            ? $"\"{Prefix}\" overlaps the keys \"{overlap.Key}\" of template {overlap.Name}: the daemons would render each other's fleet records in a loop; choose a prefix outside every template's keys"
            : null;

    /// <summary>Where this node's record of <paramref name="template"/> goes.</summary>
    public string KeyOf(string template) => $"{Prefix.Value}/{Node}/{template}";
}
