using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Payments;

/// <summary>How many times an order's charge reached the sandbox (drives the simulated flakiness of <c>tok_flaky</c>).</summary>
internal sealed class SandboxAttemptsEntity : ITableEntity
{
    public const string Key = "attempts";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = Key;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public int Count { get; set; }
}
