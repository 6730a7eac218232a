using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reconciler.Host.Http;

/// <summary>
/// /healthz's JSON, generated at build time with ASP.NET Core's web defaults (camelCase, nulls written): no reflection
/// at the first request, and nothing a trimmed build would lose.
/// </summary>
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(UnansweredHealth))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class HealthJson : JsonSerializerContext;

/// <summary>/healthz when the status actor did not answer in time.</summary>
internal sealed record UnansweredHealth(string Status, string Error);
