using System.Text.Json;
using Azure.Data.Tables;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Shipping;
using Shop.Functions.Shipping.Booking;
using Shop.Functions.Shipping.Handover;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Shipping;

/// <summary>The carrier-internal dispatch-booked-shipment trigger: Booked -> Dispatched, and only then ShipmentDispatched.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DispatchBookedShipmentConsumerDispatchBookedShipment(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task DispatchesAndPublishesShipmentDispatchedWithTheShipOrdersSequenceGivenABookedShipment()
    {
        var orderId = OrderIds.NewRandom();
        var dispatch = await BookAsync(_shop, orderId);

        var before = DateTimeOffset.UtcNow;
        await HandOverAsync(_shop, dispatch);

        var row = Assert.Single(await _shop.ShipmentsAsync(orderId));
        Assert.Equal(ShipmentStates.Dispatched, row.State);
        Assert.InRange(row.DispatchedAt!.Value, before, DateTimeOffset.UtcNow);
        var sent = Assert.Single(_shop.DispatchedFor(orderId));
        Assert.Equal((Topics.OrderEvents, $"ShipmentDispatched:{orderId}", orderId), (sent.Destination, sent.MessageId, sent.CorrelationId));
        Assert.Null(sent.ScheduledEnqueueTime);
        var orderEvent = ShippingTest.EventOf(sent);
        Assert.Equal($"ShipmentDispatched:{orderId}:5", orderEvent.Id);
        Assert.Equal(row.DispatchedAt, orderEvent.Time);
        Assert.Equal(new OrderEventData(orderId, 5, "Dispatched", TrackingNumber: row.TrackingNumber), orderEvent.Data);
    }

    [Fact]
    public async Task HandsTheShipOrdersContactOnInShipmentDispatchedWithoutStoringItGivenAShipOrderWithOne()
    {
        var orderId = OrderIds.NewRandom();
        var contact = new OrderContact("ada@example.com", "Ada Lovelace", "https://hooks.example.com/orders");
        var dispatch = await BookAsync(_shop, orderId, ShippingTest.Command(orderId) with { Contact = contact });

        Assert.Equal(new DispatchBookedShipment(orderId, 5, contact), JsonSerializer.Deserialize(dispatch.Body.ToString(), ShopJsonContext.Default.DispatchBookedShipment));
        await HandOverAsync(_shop, dispatch);

        // The e-mail and webhook consumers take it from the event instead of reading the order row; the carrier's own row
        // still holds no contact.
        Assert.Equal(contact, ShippingTest.EventOf(Assert.Single(_shop.DispatchedFor(orderId))).Data!.Contact);
        var stored = await _shop.Tables.GetTableClient(StorageTables.Shipments).GetEntityAsync<TableEntity>(orderId, ShipmentRow.Key);
        Assert.DoesNotContain(stored.Value, pair => pair.Value is string text && (text.Contains("ada@", StringComparison.Ordinal) || text.Contains("Lovelace", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task DeadLettersValidationFailedGivenAContactWithoutAnEmail()
    {
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(new DispatchBookedShipment(orderId, 5, new OrderContact(" ", "Ada")).ToMessage(DateTimeOffset.UtcNow));

        await HandOverAsync(_shop, message);

        _actions.Verify(
            a => a.DeadLetterMessageAsync(message, It.IsAny<Dictionary<string, object>?>(), DeadLetterReasons.ValidationFailed, It.IsAny<string?>(), It.IsAny<CancellationToken>()),
            Times.Once);
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task ChangesTheRowOnceAndSendsTheSameEventGivenTheDispatchRedelivered()
    {
        var orderId = OrderIds.NewRandom();
        var dispatch = await BookAsync(_shop, orderId);

        await HandOverAsync(_shop, dispatch);
        var first = Assert.Single(await _shop.ShipmentsAsync(orderId));
        await HandOverAsync(_shop, dispatch);

        Assert.Equal(first.ETag, Assert.Single(await _shop.ShipmentsAsync(orderId)).ETag);
        var sent = _shop.DispatchedFor(orderId);
        Assert.Equal(2, sent.Count);
        Assert.Single(sent.Select(m => (m.MessageId, m.Body.ToString())).Distinct());
    }

    [Fact]
    public async Task PublishesTheEventOnTheRetryGivenTheTopicWasDownAfterTheShipmentLeft()
    {
        var orderId = OrderIds.NewRandom();
        var dispatch = await BookAsync(_shop, orderId);
        var sent = new List<OutgoingMessage>();
        var topicDown = true;
        var sender = new Mock<IMessageSender>();
        sender.Setup(s => s.SendAsync(It.IsAny<OutgoingMessage>(), It.IsAny<CancellationToken>()))
            .Returns((OutgoingMessage message, CancellationToken _) =>
            {
                if (topicDown && message.Destination == Topics.OrderEvents)
                {
                    return Task.FromException(new ServiceBusException("The topic is unreachable.", ServiceBusFailureReason.ServiceCommunicationProblem));
                }

                sent.Add(message);
                return Task.CompletedTask;
            });
        await using var shop = await ShopTestServices.StartAsync(
            azurite.ConnectionString, configure: services => services.Replace(ServiceDescriptor.Singleton(sender.Object)));

        await HandOverAsync(shop, dispatch);
        var retry = Assert.Single(sent);
        Assert.Equal((Queues.DispatchBookedShipment, $"DispatchBookedShipment:{orderId}#retry2"), (retry.Destination, retry.MessageId));
        Assert.Equal(ShipmentStates.Dispatched, Assert.Single(await shop.ShipmentsAsync(orderId)).State);
        topicDown = false;
        await HandOverAsync(shop, ServiceBusMessages.Received(retry));

        var dispatched = Assert.Single(sent, m => m.Destination == Topics.OrderEvents);
        Assert.Equal(OrderEventTypes.ShipmentDispatched, dispatched.Subject);
    }

    [Fact]
    public async Task DeadLettersValidationFailedGivenAnOrderWithoutAShipment()
    {
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(new DispatchBookedShipment(orderId, 5).ToMessage(DateTimeOffset.UtcNow));

        await HandOverAsync(_shop, message);

        _actions.Verify(
            a => a.DeadLetterMessageAsync(message, It.IsAny<Dictionary<string, object>?>(), DeadLetterReasons.ValidationFailed, It.IsAny<string?>(), It.IsAny<CancellationToken>()),
            Times.Once);
        Assert.Empty(await _shop.ShipmentsAsync(orderId));
        Assert.Empty(_shop.Sender.Sent);
    }

    private async Task<ServiceBusReceivedMessage> BookAsync(ShopTestServices shop, string orderId, ShipOrder? command = null)
    {
        await shop.Function<ShipOrderConsumer>().ShipOrder(ServiceBusMessages.Received((command ?? ShippingTest.Command(orderId)).ToMessage()), _actions.Object, CancellationToken.None);
        return ServiceBusMessages.Received(Assert.Single(shop.Sender.SentFor(orderId), m => m.Destination == Queues.DispatchBookedShipment));
    }

    private Task HandOverAsync(ShopTestServices shop, ServiceBusReceivedMessage message) =>
        shop.Function<DispatchBookedShipmentConsumer>().DispatchBookedShipment(message, _actions.Object, CancellationToken.None);
}
