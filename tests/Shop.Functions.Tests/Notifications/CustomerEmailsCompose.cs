using Shop.Functions.Notifications;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Xunit;

namespace Shop.Functions.Tests.Notifications;

public sealed class CustomerEmailsCompose
{
    private const string OrderId = "ord_abcdefghijklmnopqrstuvwxyz";

    private static readonly OrderEventData Everything = new(
        OrderId, 7, OrderStatuses.Failed, FailureReasons.PaymentDeclined, [new OrderLine("SKU-001", 2)], 42.50m, "EUR", "ch_secret_456", "TRACK-1");

    public static TheoryData<string> CustomerFacingEvents => [.. CustomerEmails.EventTypes];

    [Theory]
    [MemberData(nameof(CustomerFacingEvents))]
    public void NamesTheOrderAndNothingInternal(string eventType)
    {
        var email = CustomerEmails.Compose(eventType, Everything, "Ada", "Shop");

        Assert.Contains(OrderId, email.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', email.Subject);
        Assert.StartsWith("Hello Ada,\n\n", email.Body, StringComparison.Ordinal);
        Assert.EndsWith("Kind regards,\nShop\n", email.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("ch_", email.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("tok_", email.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("SKU-001", email.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Sequence", email.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(FailureReasons.OutOfStock, "out of stock")]
    [InlineData(FailureReasons.PaymentDeclined, "payment was declined")]
    [InlineData(FailureReasons.ShippingTimeout, "could not be shipped in time")]
    [InlineData(FailureReasons.FulfillmentError, "a problem on our side")]
    [InlineData(null, "a problem on our side")]
    public void ExplainsAFailureInPlainWords(string? reason, string explanation) =>
        Assert.Contains(explanation, CustomerEmails.Compose(OrderEventTypes.OrderFailed, Everything with { Reason = reason }, "Ada", "Shop").Body, StringComparison.Ordinal);

    [Fact]
    public void SaysHowMuchWasRefunded() =>
        Assert.Contains("refunded 42.50 EUR", CustomerEmails.Compose(OrderEventTypes.PaymentRefunded, Everything, "Ada", "Shop").Body, StringComparison.Ordinal);

    [Theory]
    [InlineData(CustomerEmails.ShipmentDispatched)]
    [InlineData(OrderEventTypes.OrderCompleted)]
    public void GivesTheTrackingNumberWhenThereIsOne(string eventType)
    {
        Assert.Contains("tracking number is TRACK-1", CustomerEmails.Compose(eventType, Everything, "Ada", "Shop").Body, StringComparison.Ordinal);
        Assert.DoesNotContain("tracking", CustomerEmails.Compose(eventType, Everything with { TrackingNumber = null }, "Ada", "Shop").Body, StringComparison.Ordinal);
    }

    [Fact]
    public void GreetsWithoutANameGivenNone() =>
        Assert.StartsWith("Hello,\n", CustomerEmails.Compose(OrderEventTypes.OrderAccepted, Everything, " ", "Shop").Body, StringComparison.Ordinal);

    [Fact]
    public void RefusesAnEventCustomersAreNotToldAbout() =>
        Assert.Throws<ArgumentException>(() => CustomerEmails.Compose(OrderEventTypes.StockReserved, Everything, "Ada", "Shop"));
}
