using System.Text.Json.Serialization;

namespace Reconciler.Actors.Journal;

/// <summary>The journal's JSON, generated at build time (no reflection: nothing for a trimmed build to lose).</summary>
[JsonSerializable(typeof(JournalEntry))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
public sealed partial class JournalJson : JsonSerializerContext;
