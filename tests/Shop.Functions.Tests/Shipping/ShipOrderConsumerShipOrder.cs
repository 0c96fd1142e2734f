using System.Text.Json.Nodes;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Shipping;
using Shop.Functions.Shipping.Booking;
using Shop.Functions.Shipping.Handover;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Shipping;

/// <summary>The ship-order trigger as the host calls it: the app's pipeline and sandbox carrier, Azurite, mocked settlement.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ShipOrderConsumerShipOrder(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(30);

    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task BooksOneShipmentAndSchedulesTheSameDispatchGivenTheSameCommandTwice()
    {
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(ShippingTest.Command(orderId).ToMessage());

        var before = DateTimeOffset.UtcNow;
        await ConsumeAsync(_shop, message);
        await ConsumeAsync(_shop, message);
        var after = DateTimeOffset.UtcNow;

        _actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Exactly(2));
        _actions.VerifyNoOtherCalls();
        var shipment = Assert.Single(await _shop.ShipmentsAsync(orderId));
        Assert.StartsWith(SandboxCarrier.TrackingNumberPrefix, shipment.TrackingNumber, StringComparison.Ordinal);
        Assert.Equal((ShipmentStates.Booked, 5L), (shipment.State, shipment.DispatchSequence));
        // Nothing is announced at booking: the carrier's own dispatch, due later, publishes ShipmentDispatched.
        Assert.Empty(_shop.DispatchedFor(orderId));
        var sent = _shop.Sender.SentFor(orderId);
        Assert.Equal(2, sent.Count);
        Assert.All(sent, message =>
        {
            Assert.Equal(Queues.DispatchBookedShipment, message.Destination);
            Assert.Equal($"DispatchBookedShipment:{orderId}", message.MessageId);
            Assert.Equal(nameof(DispatchBookedShipment), message.Subject);
            Assert.Equal(orderId, message.CorrelationId);
            Assert.Equal(OutgoingMessage.JsonContentType, message.ContentType);
            Assert.InRange(message.ScheduledEnqueueTime!.Value, before + DefaultDelay, after + DefaultDelay);
            Assert.Equal(new DispatchBookedShipment(orderId, 5), ShippingTest.Read(message, ShopJsonContext.Default.DispatchBookedShipment));
        });
    }

    [Fact]
    public async Task SchedulesTheDispatchAfterTheConfiguredDispatchDelay()
    {
        await using var shop = await ShopTestServices.StartAsync(
            azurite.ConnectionString, new Dictionary<string, string?> { ["Shipping:DispatchDelay"] = "00:05:00" });
        var orderId = OrderIds.NewRandom();

        var before = DateTimeOffset.UtcNow;
        await ConsumeAsync(shop, ServiceBusMessages.Received(ShippingTest.Command(orderId).ToMessage()));
        var after = DateTimeOffset.UtcNow;

        var sent = Assert.Single(shop.Sender.SentFor(orderId));
        Assert.InRange(sent.ScheduledEnqueueTime!.Value, before + TimeSpan.FromMinutes(5), after + TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task DeadLettersMalformedMessageWithoutAShipmentGivenABodyThatIsNotAShipOrder()
    {
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received($$"""{"orderId":"{{orderId}}","items":"two boxes"}""", nameof(ShipOrder), $"ShipOrder:{orderId}", orderId);

        await ConsumeAsync(_shop, message);

        VerifyDeadLettered(message, DeadLetterReasons.MalformedMessage);
        Assert.Empty(await _shop.ShipmentsAsync(orderId));
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task DeadLettersUnknownMessageTypeGivenAnotherSubject()
    {
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(ShippingTest.Command(orderId).ToMessage() with { Subject = nameof(PlaceOrder) });

        await ConsumeAsync(_shop, message);

        VerifyDeadLettered(message, DeadLetterReasons.UnknownMessageType);
        Assert.Empty(await _shop.ShipmentsAsync(orderId));
    }

    [Theory]
    [InlineData("orderId", null, "no orderId")]
    [InlineData("orderId", "\"ord/1\"", "not an order id")]
    [InlineData("items", null, "no items")]
    [InlineData("items", "[]", "no items")]
    [InlineData("items", """[{"sku":"SKU-001","quantity":0}]""", "quantity")]
    [InlineData("address", null, "no address")]
    [InlineData("address", """{"line1":"1 Analytical Way","city":"London"}""", "postalCode")]
    public async Task DeadLettersValidationFailedWithoutAShipmentGivenAnIncompleteCommand(string property, string? value, string problem)
    {
        var orderId = OrderIds.NewRandom();
        var body = JsonNode.Parse(ShippingTest.Command(orderId).ToMessage().Body.ToString())!.AsObject();
        if (value is null)
        {
            body.Remove(property);
        }
        else
        {
            body[property] = JsonNode.Parse(value);
        }

        var message = ServiceBusMessages.Received(body.ToJsonString(), nameof(ShipOrder), $"ShipOrder:{orderId}", orderId);

        await ConsumeAsync(_shop, message);

        Assert.Contains(problem, VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed), StringComparison.Ordinal);
        Assert.Empty(await _shop.ShipmentsAsync(orderId));
        Assert.Empty(_shop.Sender.Sent);
    }

    private Task ConsumeAsync(ShopTestServices shop, ServiceBusReceivedMessage message) =>
        shop.Function<ShipOrderConsumer>().ShipOrder(message, _actions.Object, CancellationToken.None);

    private string VerifyDeadLettered(ServiceBusReceivedMessage message, string reason)
    {
        _actions.Verify(
            a => a.DeadLetterMessageAsync(message, It.IsAny<Dictionary<string, object>?>(), reason, It.IsAny<string?>(), It.IsAny<CancellationToken>()),
            Times.Once);
        _actions.VerifyNoOtherCalls();
        var call = _actions.Invocations.Single(c => c.Method.Name == nameof(ServiceBusMessageActions.DeadLetterMessageAsync));
        return (string)call.Arguments[3]!;
    }
}
