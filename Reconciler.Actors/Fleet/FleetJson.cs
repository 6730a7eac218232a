using System.Text.Json.Serialization;

namespace Reconciler.Actors.Fleet;

/// <summary>The fleet records' JSON, generated at build time (no reflection).</summary>
[JsonSerializable(typeof(FleetRecord))]
[JsonSerializable(typeof(IReadOnlyList<FleetRow>))]
// a record with a field missing or null is no record: untrusted input is refused, not filled in
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
public sealed partial class FleetJson : JsonSerializerContext;
