namespace Shop.Functions.Platform.Health;

/// <summary>The body of <c>GET /api/health</c>: the overall status and each dependency's, and the providers configured.</summary>
public sealed record HealthResponse(string Status, long LatencyMs, IReadOnlyList<DependencyHealth> Checks, IReadOnlyList<ProviderHealth> Providers);

/// <summary>One dependency: <c>Healthy</c> or <c>Unhealthy</c>, how long the check took, and why it failed.</summary>
public sealed record DependencyHealth(string Name, string Status, long LatencyMs, string? Description = null);

/// <summary>
/// One external provider (<c>email</c>, <c>payments</c>): which one the settings choose, and whether the settings it
/// needs are set (<paramref name="Missing"/> names those that are not). Read from configuration, never by calling the
/// provider; it does not change the overall status.
/// </summary>
public sealed record ProviderHealth(string Name, string Provider, bool Configured, IReadOnlyList<string> Missing);
