using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Reconciler.Actors.Output;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Applying;

/// <summary>
/// A dest's haproxySlots assignments as last applied, kept in <c>&lt;state-dir&gt;/slots</c>, so that a restarted
/// daemon, or a template changed on SIGHUP, puts every instance back in the slot it had: without it the first
/// render placed each by its hash again, and an instance that had collided moved (a needless drain and re-fill at
/// runtime). Named after dest (two daemons never write one dest), written atomically (staged, renamed, 0600: the
/// values are registrations), read without following a link. Best effort: failing to keep it costs moves after a
/// restart, never a render.
/// </summary>
internal sealed partial class SlotState
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _folder;
    private string? _saved;

    private SlotState(string folder, string path)
    {
        _folder = folder;
        Path = path;
    }

    public string Path { get; }

    public static SlotState For(string stateDir, string dest)
    {
        var folder = System.IO.Path.Combine(stateDir, "slots");
        return new SlotState(folder, System.IO.Path.Combine(folder, $"{StateFileName.For(dest)}.json"));
    }

    /// <summary>Gives <paramref name="slots"/> what the state file holds; null when it did, else why not (none yet is not a reason).</summary>
    public string? RestoreInto(SlotAssignments slots)
    {
        string text;
        try
        {
            using var file = RegularFile.OpenRead(Path);
            using var reader = new StreamReader(file, Encoding.UTF8);
            text = reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return e.Message;
        }

        try
        {
            var saved = JsonSerializer.Deserialize(text, SlotStateJson.Default.SavedSlots);
            if (saved?.Calls is not { } calls)
            {
                return $"{Path} holds no slot assignments";
            }

            slots.Restore(calls.ToDictionary(kv => kv.Key, kv => kv.Value));
            _saved = text;
            return null;
        }
        catch (JsonException e)
        {
            return $"{Path} is not a slot state file: {e.Message}";
        }
    }

    /// <summary>Keeps <paramref name="slots"/> when they changed since the last save; null when kept (or unchanged), else why not.</summary>
    public string? Save(SlotAssignments slots)
    {
        var snapshot = slots.Snapshot();
        if (snapshot.Count == 0 && _saved is null)
        {
            return null; // a template without haproxySlots keeps nothing
        }

        var text = JsonSerializer.Serialize(new SavedSlots(1, snapshot.ToDictionary(kv => kv.Key, kv => kv.Value)), SlotStateJson.Default.SavedSlots);
        if (text == _saved || OperatingSystem.IsWindows())
        {
            return null;
        }

        try
        {
            Directory.CreateDirectory(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var content = new ContentBuffer();
            content.Write(text, 0, text.Length);
            using var staged = AtomicFileWriter.Stage(Path, content);
            AtomicFileWriter.Commit(staged, Mode0600, owner: null, group: null);
            _saved = text;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return e.Message;
        }
    }

    internal sealed record SavedSlots(int Version, Dictionary<int, string?[]> Calls);

    [JsonSerializable(typeof(SavedSlots))]
    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    internal sealed partial class SlotStateJson : JsonSerializerContext;
}
