using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Payments;

/// <summary>
/// How many times a call about an order reached the sandbox while it simulated an outage, and which one
/// (<see cref="Simulation"/>): drives <c>tok_flaky</c> and <c>tok_unavailable</c> for the order's charges, and for its
/// refunds and outcome queries, which carry no token.
/// </summary>
internal sealed class SandboxAttemptsRow : ITableEntity
{
    public const string Key = "attempts";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = Key;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public int Count { get; set; }

    /// <summary><see cref="SandboxPaymentGateway.FlakyTokenPrefix"/> or <see cref="SandboxPaymentGateway.UnavailableTokenPrefix"/>; null in rows written before it existed, which were all flaky.</summary>
    public string? Simulation { get; set; }
}
