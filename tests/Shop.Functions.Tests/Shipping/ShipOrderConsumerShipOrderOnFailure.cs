using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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

/// <summary>
/// ship-order under transient failures: storage or the topic down means a scheduled retry of the command, which
/// finds the shipment booked before; the last attempt dead-letters.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ShipOrderConsumerShipOrderOnFailure(AzuriteFixture azurite)
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();

    [Fact]
    public async Task SchedulesTheNextAttemptAndCompletesGivenStorageIsDown()
    {
        await using var down = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString());
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(ShippingTest.Command(orderId).ToMessage());

        await ConsumeAsync(down, message);

        _actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Once);
        _actions.VerifyNoOtherCalls();
        var copy = Assert.Single(down.Sender.Sent);
        Assert.Equal(Queues.ShipOrder, copy.Destination);
        Assert.Equal($"ShipOrder:{orderId}#retry2", copy.MessageId);
        Assert.Equal(2, copy.ApplicationProperties![RetryProperties.Attempt]);
        Assert.Equal($"ShipOrder:{orderId}", copy.ApplicationProperties[RetryProperties.OriginalMessageId]);
        Assert.True(copy.ScheduledEnqueueTime > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task DeadLettersRetriesExhaustedGivenStorageIsDownOnTheLastAttempt()
    {
        await using var down = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString());
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(ShippingTest.Command(orderId).ToMessage() with
        {
            MessageId = $"ShipOrder:{orderId}#retry6",
            ApplicationProperties = new Dictionary<string, object>
            {
                [RetryProperties.Attempt] = 6,
                [RetryProperties.OriginalMessageId] = $"ShipOrder:{orderId}",
            },
        });

        await ConsumeAsync(down, message);

        _actions.Verify(
            a => a.DeadLetterMessageAsync(
                message,
                It.IsAny<Dictionary<string, object>?>(),
                DeadLetterReasons.RetriesExhausted,
                It.Is<string?>(d => d!.Contains("6 attempts", StringComparison.Ordinal)),
                It.IsAny<CancellationToken>()),
            Times.Once);
        _actions.VerifyNoOtherCalls();
        Assert.Empty(down.Sender.Sent);
    }

    [Fact]
    public async Task RetriesAndSchedulesTheDispatchOfTheFirstBookingGivenTheDispatchCouldNotBeScheduled()
    {
        var sent = new List<OutgoingMessage>();
        var queueDown = true;
        var sender = new Mock<IMessageSender>();
        sender.Setup(s => s.SendAsync(It.IsAny<OutgoingMessage>(), It.IsAny<CancellationToken>()))
            .Returns((OutgoingMessage message, CancellationToken _) =>
            {
                if (queueDown && message.Destination == Queues.DispatchBookedShipment)
                {
                    return Task.FromException(new ServiceBusException("The queue is unreachable.", ServiceBusFailureReason.ServiceCommunicationProblem));
                }

                sent.Add(message);
                return Task.CompletedTask;
            });
        await using var shop = await ShopTestServices.StartAsync(
            azurite.ConnectionString, configure: services => services.Replace(ServiceDescriptor.Singleton(sender.Object)));
        var orderId = OrderIds.NewRandom();
        var first = ServiceBusMessages.Received(ShippingTest.Command(orderId).ToMessage());

        await ConsumeAsync(shop, first);
        var copy = Assert.Single(sent);
        var booked = Assert.Single(await shop.ShipmentsAsync(orderId));
        queueDown = false;
        var retry = ServiceBusMessages.Received(copy);
        await ConsumeAsync(shop, retry);

        _actions.Verify(a => a.CompleteMessageAsync(first, It.IsAny<CancellationToken>()), Times.Once);
        _actions.Verify(a => a.CompleteMessageAsync(retry, It.IsAny<CancellationToken>()), Times.Once);
        _actions.VerifyNoOtherCalls();
        Assert.Equal(Queues.ShipOrder, copy.Destination);
        Assert.Equal(2, copy.ApplicationProperties![RetryProperties.Attempt]);
        Assert.Equal(booked.TrackingNumber, Assert.Single(await shop.ShipmentsAsync(orderId)).TrackingNumber);
        var dispatch = Assert.Single(sent, m => m.Destination == Queues.DispatchBookedShipment);
        Assert.Equal($"DispatchBookedShipment:{orderId}", dispatch.MessageId);
        Assert.Equal(new DispatchBookedShipment(orderId, 5), ShippingTest.Read(dispatch, ShopJsonContext.Default.DispatchBookedShipment));
    }

    private Task ConsumeAsync(ShopTestServices shop, ServiceBusReceivedMessage message) =>
        shop.Function<ShipOrderConsumer>().ShipOrder(message, _actions.Object, CancellationToken.None);
}
