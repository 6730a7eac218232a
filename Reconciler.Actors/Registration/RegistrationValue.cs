using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using Reconciler.Actors.Display;
using Reconciler.Actors.Networks;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Registration;

/// <summary>
/// What <c>reconciler register</c> may write: by default an instance registration the shipped template renders
/// (<see cref="InstanceValue"/>) pointing where <c>--allowed-networks</c> and <c>--allow-hostnames</c> let it
/// (<see cref="AddressPolicy"/>, without the load balancer's own addresses, which the app host does not know), so a
/// typo or a registration every load balancer would skip is refused at the app host; with <c>--value-format text</c>,
/// any value that stays on one line.
/// </summary>
public static class RegistrationValue
{
    public const string Instance = "instance";
    public const string Text = "text";

    /// <summary>Why <paramref name="value"/> must not be registered, as a phrase; null when it may.</summary>
    public static string? Problem(string value, string format, AddressPolicy addresses)
    {
        if (PrintableText.HasControlCharacter(value))
        {
            return "has a control character (a newline, say), which no template is handed";
        }

        if (format == Text)
        {
            return null;
        }

        if (!InstanceValue.TryParse(value, out var instance, out var reason))
        {
            return $"{reason}: the shipped template would skip it (--value-format text registers any one-line value)";
        }

        return instance!.Refusal(addresses) is { } refusal
            ? $"has a host that {refusal}: the shipped template would skip it"
            : null;
    }

    /// <summary>register's rule: <paramref name="allowedNetworks"/> (empty for the default) and host names only when allowed.</summary>
    public static AddressPolicy Addresses(ImmutableArray<IPNetwork> allowedNetworks, bool allowHostNames) =>
        new(allowedNetworks, allowHostNames, FrozenSet<IPAddress>.Empty, settingPrefix: "--");
}
