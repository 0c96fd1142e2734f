using System.Text.Json;
using Shop.Functions.Notifications;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.Reliability;

/// <summary>
/// Found by the hostile input campaign: intake accepted customer e-mail addresses with invisible or line-breaking
/// characters (U+2028, U+202E, U+200B, U+FEFF, U+FFFF) and stored the order. The notifications then refused U+2028 and
/// dead-lettered every e-mail of the order; the others went into e-mail headers as they were.
/// </summary>
public sealed class SubmitOrderValidatorValidateCustomerEmail
{
    [Theory]
    [InlineData("ada\u2028@example.com")]
    [InlineData("ada\u202e@example.com")]
    [InlineData("ada\u200b@example.com")]
    [InlineData("ada\ufeff@example.com")]
    [InlineData("ada\uffff@example.com")]
    [InlineData("ada\ue000@example.com")]
    public void RefusesAddressesWithInvisibleCharacters(string email)
    {
        var errors = SubmitOrderValidator.Validate(Request(email), out var order);

        Assert.Null(order);
        Assert.Equal(["customer.email"], errors.Keys);
        Assert.False(EmailAddresses.IsValid(email));
    }

    [Theory]
    [InlineData("ada@example.com")]
    [InlineData("jos\u00e9@example.com")]
    [InlineData("\u0430\u0434\u0430@example.com")]
    public void AcceptsAddressesTheNotificationsCanSendTo(string email)
    {
        var errors = SubmitOrderValidator.Validate(Request(email), out var order);

        Assert.Empty(errors);
        Assert.NotNull(order);
        Assert.True(EmailAddresses.IsValid(email));
    }

    private static SubmitOrderRequest Request(string email) =>
        JsonSerializer.Deserialize(OrderRequests.With(body => body["customer"]!["email"] = email), ShopJsonContext.Default.SubmitOrderRequest)!;
}
