using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Health;
using Reconciler.Host.Metrics;

namespace Reconciler.Host.Http;

/// <summary><c>/healthz</c> (200 healthy, 503 not) and <c>/metrics</c> (Prometheus text format).</summary>
internal static class StatusEndpoints
{
    private const string PrometheusTextFormat = "text/plain; version=0.0.4; charset=utf-8";
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);

    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", HealthAsync);
        app.MapGet("/metrics", MetricsAsync);
    }

    private static async Task<IResult> HealthAsync(IRequiredActor<StatusActor> status, ReconcilerSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var actor = await status.GetAsync(cancellationToken);
            var current = await actor.Ask<PipelineStatus>(GetPipelineStatus.Instance, AskTimeout, cancellationToken);
            return Results.Json(
                HealthReport.From(current, DateTimeOffset.UtcNow, settings.HttpDetails),
                HealthJson.Default.HealthReport,
                statusCode: current.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }
        catch (AskTimeoutException)
        {
            return Results.Json(
                new UnansweredHealth("unhealthy", "the status actor did not answer"),
                HealthJson.Default.UnansweredHealth,
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static async Task MetricsAsync(HttpContext context, ReconcilerMetrics metrics)
    {
        context.Response.ContentType = PrometheusTextFormat;
        await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
    }
}
