using System.Text;
using System.Text.Json;
using Reconciler.Actors.Display;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Fleet;

/// <summary>
/// Reads one key of the fleet prefix as <c>reconciler fleet</c> does: untrusted input, since any host that may write the
/// prefix may write anything there. A value over <see cref="MostRecordBytes"/> is not decoded at all; one that is not a
/// record, or whose node and template are not those of its key, is skipped with a warning naming the key, escaped.
/// </summary>
public static class FleetRecordParser
{
    /// <summary>A record is about 300 bytes; far more is not one.</summary>
    public const int MostRecordBytes = 16 * 1024;

    /// <returns>The record, or null with <paramref name="warning"/> saying why it was skipped.</returns>
    public static FleetRecord? Parse(KeyPrefix prefix, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, out string? warning)
    {
        warning = null;
        var shownKey = PrintableText.ShortOf(key);
        if (value.Length > MostRecordBytes)
        {
            warning = $"skipped {shownKey}: {value.Length} bytes, over the {MostRecordBytes} a fleet record may have";
            return null;
        }

        var name = Encoding.UTF8.GetString(key);
        var path = name.Length > prefix.Value.Length + 1 ? name[(prefix.Value.Length + 1)..].Split('/', 2) : [];
        if (path is not [{ Length: > 0 } node, { Length: > 0 } template])
        {
            warning = $"skipped {shownKey}: not <prefix>/<node>/<template>";
            return null;
        }

        FleetRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(value, FleetJson.Default.FleetRecord);
        }
        catch (JsonException e)
        {
            warning = $"skipped {shownKey}: not a fleet record ({PrintableText.Of(e.Message.Split('.', 2)[0])})";
            return null;
        }

        if (record is null || record.Node != node || record.Template != template)
        {
            warning = $"skipped {shownKey}: its node and template are not those of its key";
            return null;
        }

        return record;
    }
}
