using System.Text.Json;
using Shop.Functions.Payments;
using Xunit;

namespace Shop.Functions.Tests.Payments;

/// <summary>Results serialized as their base type (a list, a stored document) keep their outcome.</summary>
public sealed class PaymentResultsJson
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static TheoryData<ChargeResult> Charges => new()
    {
        new ChargeResult.Captured("ch_1", 12.50m, "EUR", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)),
        new ChargeResult.Declined(DeclineCodes.CardDeclined, "The card was declined."),
        new ChargeResult.Declined(DeclineCodes.OrderClosed, "The order was closed by a refund; nothing was charged."),
    };

    public static TheoryData<RefundResult> Refunds => new()
    {
        new RefundResult.Refunded("re_1", "ch_1", 12.50m, "EUR", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)),
        new RefundResult.NothingCharged(),
        new RefundResult.Rejected(RefundRejectCodes.ChargeMismatch, "Not this order's charge."),
    };

    public static TheoryData<PaymentStatus> Statuses => new()
    {
        PaymentStatus.None,
        new PaymentStatus("ch_1", 12.50m, 0m, "EUR"),
        new PaymentStatus("ch_1", 12.50m, 12.50m, "EUR"),
    };

    [Theory]
    [MemberData(nameof(Charges))]
    public void RoundTripsAChargeResult(ChargeResult result)
    {
        var json = JsonSerializer.Serialize(result, Web);

        Assert.Equal(result, JsonSerializer.Deserialize<ChargeResult>(json, Web));
    }

    [Theory]
    [MemberData(nameof(Refunds))]
    public void RoundTripsARefundResult(RefundResult result)
    {
        var json = JsonSerializer.Serialize(result, Web);

        Assert.Equal(result, JsonSerializer.Deserialize<RefundResult>(json, Web));
    }

    [Theory]
    [MemberData(nameof(Statuses))]
    public void RoundTripsAPaymentStatus(PaymentStatus status)
    {
        var json = JsonSerializer.Serialize(status, Web);

        Assert.Equal(status, JsonSerializer.Deserialize<PaymentStatus>(json, Web));
    }
}
