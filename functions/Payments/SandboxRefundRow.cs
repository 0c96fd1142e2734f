using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Payments;

/// <summary>The sandbox's record of an order's one refund.</summary>
internal sealed class SandboxRefundRow : ITableEntity
{
    public const string Key = "refund";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = Key;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string RefundId { get; set; } = string.Empty;

    public string ChargeId { get; set; } = string.Empty;

    /// <summary>Invariant-culture decimal text, as in <see cref="SandboxChargeRow.Amount"/>.</summary>
    public string Amount { get; set; } = "0";

    public string Currency { get; set; } = string.Empty;

    public DateTimeOffset RefundedAt { get; set; }

    public static SandboxRefundRow For(string orderId, RefundResult.Refunded result) => new()
    {
        PartitionKey = orderId,
        RefundId = result.RefundId,
        ChargeId = result.ChargeId,
        Amount = result.Amount.ToString(CultureInfo.InvariantCulture),
        Currency = result.Currency,
        RefundedAt = result.RefundedAt,
    };

    public RefundResult.Refunded ToResult() => new(
        RefundId, ChargeId, decimal.Parse(Amount, NumberStyles.Number, CultureInfo.InvariantCulture), Currency, RefundedAt);
}
