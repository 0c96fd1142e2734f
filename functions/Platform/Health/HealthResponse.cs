namespace Shop.Functions.Platform.Health;

/// <summary>The body of <c>GET /api/health</c>: the overall status and each dependency's.</summary>
public sealed record HealthResponse(string Status, long LatencyMs, IReadOnlyList<DependencyHealth> Checks);

/// <summary>One dependency: <c>Healthy</c> or <c>Unhealthy</c>, how long the check took, and why it failed.</summary>
public sealed record DependencyHealth(string Name, string Status, long LatencyMs, string? Description = null);
