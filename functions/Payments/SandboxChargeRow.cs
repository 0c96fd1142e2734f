using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Payments;

/// <summary>
/// The sandbox's record of an order's one charge: captured, declined, or <see cref="ClosedOutcome"/>, the tombstone a
/// refund leaves when it finds no charge. Charge and tombstone are conditional inserts of this one row, so a charge and a
/// refund racing for an order agree on which came first. Holds no payment token.
/// </summary>
internal sealed class SandboxChargeRow : ITableEntity
{
    public const string Key = "charge";

    /// <summary>The order was closed by a refund before any charge: a later charge is declined and captures nothing.</summary>
    public const string ClosedOutcome = "Closed";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = Key;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Outcome { get; set; } = string.Empty;

    public string? ChargeId { get; set; }

    /// <summary>Invariant-culture decimal text: Tables has no decimal type, and a double would round money.</summary>
    public string? Amount { get; set; }

    public string? Currency { get; set; }

    public DateTimeOffset? CapturedAt { get; set; }

    public string? DeclineCode { get; set; }

    public string? Message { get; set; }

    public bool IsCaptured => Outcome == nameof(ChargeResult.Captured);

    public bool IsClosed => Outcome == ClosedOutcome;

    public decimal AmountValue => decimal.Parse(Amount ?? "0", NumberStyles.Number, CultureInfo.InvariantCulture);

    public static SandboxChargeRow For(string orderId, ChargeResult result) => result switch
    {
        ChargeResult.Captured captured => new()
        {
            PartitionKey = orderId,
            Outcome = nameof(ChargeResult.Captured),
            ChargeId = captured.ChargeId,
            Amount = captured.Amount.ToString(CultureInfo.InvariantCulture),
            Currency = captured.Currency,
            CapturedAt = captured.CapturedAt,
        },
        ChargeResult.Declined declined => new()
        {
            PartitionKey = orderId,
            Outcome = nameof(ChargeResult.Declined),
            DeclineCode = declined.DeclineCode,
            Message = declined.Message,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, "Unknown charge result."),
    };

    /// <summary>The tombstone of an order closed before it was charged.</summary>
    public static SandboxChargeRow Closed(string orderId, DateTimeOffset closedAt) => new()
    {
        PartitionKey = orderId,
        Outcome = ClosedOutcome,
        DeclineCode = DeclineCodes.OrderClosed,
        Message = $"The order was closed at {closedAt:O}, before it was charged.",
    };

    public ChargeResult ToResult() => IsCaptured
        ? new ChargeResult.Captured(ChargeId!, AmountValue, Currency!, CapturedAt!.Value)
        : new ChargeResult.Declined(DeclineCode!, Message!);
}
