using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Platform.Health;

/// <summary>
/// <c>GET /api/health</c>: each dependency checked at once, each bounded by <see cref="HealthOptions.Timeout"/>; 200
/// when all are healthy, 503 otherwise. Anonymous, for probes; it names no host and no error message, only statuses.
/// It also lists the providers configured (<see cref="ConfiguredProviders"/>) without calling them.
/// </summary>
public sealed class GetHealthFunction(HealthCheckService health, ConfiguredProviders providers)
{
    public const string Route = "health";

    [Function(nameof(GetHealth))]
    public async Task<IActionResult> GetHealth(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        var checks = report.Entries
            .OrderBy(entry => entry.Key, StringComparer.Ordinal)
            .Select(entry => new DependencyHealth(
                entry.Key,
                entry.Value.Status.ToString(),
                (long)entry.Value.Duration.TotalMilliseconds,
                Describe(entry.Value)))
            .ToList();
        var healthy = report.Status == HealthStatus.Healthy;
        return new JsonResponse<HealthResponse>(
                healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
                new HealthResponse(report.Status.ToString(), (long)report.TotalDuration.TotalMilliseconds, checks, providers.Report()),
                ShopJsonContext.Default.HealthResponse)
            .WithHeader("Cache-Control", "no-store");
    }

    /// <summary>The check's own words; never an exception's message, which may name hosts or keys.</summary>
    private static string? Describe(HealthReportEntry entry) => entry switch
    {
        { Status: HealthStatus.Healthy } => null,
        { Exception: OperationCanceledException } => "The check timed out.",
        { Exception: { } exception } => $"The check failed ({exception.GetType().Name}).",
        _ => entry.Description,
    };
}
