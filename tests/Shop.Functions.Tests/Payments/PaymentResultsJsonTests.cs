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
    };

    public static TheoryData<RefundResult> Refunds => new()
    {
        new RefundResult.Refunded("re_1", "ch_1", 12.50m, "EUR", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)),
        new RefundResult.NothingCharged(),
        new RefundResult.Rejected(RefundRejectCodes.ChargeMismatch, "Not this order's charge."),
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
}
