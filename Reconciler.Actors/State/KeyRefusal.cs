using System.Globalization;

namespace Reconciler.Actors.State;

/// <summary>Which of <see cref="KeyLimits"/> a key is over; the label of reconciler_refused_keys_total.</summary>
public enum RefusalReason
{
    KeyBytes,
    ValueBytes,
    PrefixBytes,
}

/// <summary>
/// A key the daemon does not store (<see cref="KeyLimits"/>): its name as it may be shown (cut short and escaped), which
/// limit, and the size that passed it (for <see cref="RefusalReason.PrefixBytes"/>, what its prefix would hold with it).
/// </summary>
public sealed record KeyRefusal(string ShownKey, RefusalReason Reason, long Bytes, long Limit)
{
    /// <summary>The metric label and the setting's name.</summary>
    public string Setting => Reason switch
    {
        RefusalReason.KeyBytes => "max-key-bytes",
        RefusalReason.ValueBytes => "max-value-bytes",
        _ => "max-prefix-bytes",
    };

    public string Why => Reason switch
    {
        RefusalReason.KeyBytes => string.Create(CultureInfo.InvariantCulture, $"its name is {Bytes} bytes, more than {Setting} ({Limit})"),
        RefusalReason.ValueBytes => string.Create(CultureInfo.InvariantCulture, $"its value is {Bytes} bytes, more than {Setting} ({Limit})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"its prefix would hold {Bytes} bytes with it, more than {Setting} ({Limit})"),
    };

    public override string ToString() => $"{ShownKey} ({Why})";
}
