using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Registration;

/// <summary>
/// What <c>reconciler register</c> may write: by default an instance registration the shipped template renders
/// (<see cref="InstanceValue"/>), so a typo is refused at the app host rather than skipped on every load balancer;
/// with <c>--value-format text</c>, any value that stays on one line.
/// </summary>
public static class RegistrationValue
{
    public const string Instance = "instance";
    public const string Text = "text";

    /// <summary>Why <paramref name="value"/> must not be registered, as a phrase; null when it may.</summary>
    public static string? Problem(string value, string format)
    {
        if (PrintableText.HasControlCharacter(value))
        {
            return "has a control character (a newline, say), which no template is handed";
        }

        return format == Text || InstanceValue.TryParse(value, out _, out var reason)
            ? null
            : $"{reason}: the shipped template would skip it (--value-format text registers any one-line value)";
    }
}
