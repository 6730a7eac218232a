using System.Text.Json.Serialization;

namespace Reconciler.Actors.Fleet;

/// <summary>The fleet records' JSON, generated at build time (no reflection).</summary>
[JsonSerializable(typeof(FleetRecord))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
public sealed partial class FleetJson : JsonSerializerContext;
