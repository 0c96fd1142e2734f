using System.Text.Json.Nodes;
using Shop.Functions.Orders;
using Shop.Functions.Tests.EndToEnd.Harness;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Notifications;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.EndToEnd;

/// <summary>
/// Whole orders through the whole app (<see cref="ShopPipeline"/>) with <c>Email:Provider</c> = <c>Smtp</c>: the
/// customer e-mails go to a real SMTP server (<see cref="SmtpTestServer"/>), each exactly once even with every message
/// delivered twice, and the conservation check holds (the SMTP sender's markers are what customers were told).
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Slow")]
public sealed class OrderPipelineEndToEndOverSmtp(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private SmtpTestServer _smtp = null!;
    private ShopPipeline? _pipeline;

    public async Task InitializeAsync() => _smtp = await SmtpTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_pipeline is not null)
        {
            await _pipeline.DisposeAsync();
        }

        await _smtp.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MailsEachCustomerEmailOnceGivenACompletedOrder(bool deliverTwice)
    {
        var shop = await StartAsync(deliverTwice);

        var orderId = await SubmitAsync(shop, Order("tok_visa"));
        Assert.Equal(303, (await shop.PollUntilFinishedAsync(orderId, Patience)).Status);
        await shop.Broker.WhenIdleAsync(Patience);

        Assert.Equal(OrderStatuses.Completed, (await shop.OrderAsync(orderId)).Json().GetProperty("status").GetString());
        await shop.AssertConservedAsync();
        var mails = await MailsAsync(orderId);
        Assert.Equal(["OrderAccepted", "OrderCompleted", "ShipmentDispatched"], mails.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("is complete", mails["OrderCompleted"].Message.Subject, StringComparison.Ordinal);
        Assert.Contains("SANDBOX-", mails["ShipmentDispatched"].Message.TextBody, StringComparison.Ordinal);
        Assert.Empty(shop.Broker.DeadLetters);
    }

    [Fact]
    public async Task MailsTheFailureGivenADeclinedCard()
    {
        var shop = await StartAsync(deliverTwice: false);

        var orderId = await SubmitAsync(shop, Order("tok_decline"));
        Assert.Equal(303, (await shop.PollUntilFinishedAsync(orderId, Patience)).Status);
        await shop.Broker.WhenIdleAsync(Patience);

        await shop.AssertConservedAsync();
        var mails = await MailsAsync(orderId);
        Assert.Equal(["OrderAccepted", "OrderFailed"], mails.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("the payment was declined", mails["OrderFailed"].Message.TextBody, StringComparison.Ordinal);
        Assert.Empty(shop.Broker.DeadLetters);
    }

    private async Task<ShopPipeline> StartAsync(bool deliverTwice)
    {
        _pipeline = await ShopPipeline.StartAsync(
            azurite.ConnectionString,
            new BrokerOptions { DeliverTwice = deliverTwice },
            SendEmailConsumerSendEmailOverSmtp.Settings(_smtp.Port));
        await _pipeline.SetStockAsync("SKU-034", 100);
        return _pipeline;
    }

    /// <summary>The order's e-mails the server received, by event type (from the Message-ID); a second copy of one fails.</summary>
    private async Task<Dictionary<string, SmtpTestServer.Received>> MailsAsync(string orderId)
    {
        var mails = new Dictionary<string, SmtpTestServer.Received>(StringComparer.Ordinal);
        foreach (var mail in await _smtp.DrainAsync())
        {
            var id = mail.Message.MessageId ?? string.Empty;
            if (!id.StartsWith(orderId + ".", StringComparison.Ordinal))
            {
                continue;
            }

            var eventType = id[(orderId.Length + 1)..id.IndexOf('@', StringComparison.Ordinal)];
            Assert.True(mails.TryAdd(eventType, mail), $"The {eventType} e-mail was sent twice.");
        }

        return mails;
    }

    /// <summary>One of SKU-034 (no other test uses it).</summary>
    private static JsonObject Order(string token)
    {
        var body = OrderRequests.Valid();
        body["items"] = new JsonArray { new JsonObject { ["sku"] = "SKU-034", ["quantity"] = 1 } };
        body["payment"]!["token"] = token;
        return body;
    }

    private static async Task<string> SubmitAsync(ShopPipeline shop, JsonObject body)
    {
        var response = await shop.SubmitAsync(body);
        Assert.Equal(202, response.Status);
        return response.Json().GetProperty("orderId").GetString()!;
    }
}
