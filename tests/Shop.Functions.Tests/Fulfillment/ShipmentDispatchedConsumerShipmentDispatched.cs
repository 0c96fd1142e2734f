using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Moq;
using Shop.Functions.Fulfillment;
using Shop.Functions.Fulfillment.CarrierEvents;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Shipping;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>The order-events/fulfillment trigger as the host calls it, on the real saga (a Durable engine in process).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ShipmentDispatchedConsumerShipmentDispatched(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private SagaHarness _saga = null!;

    public async Task InitializeAsync()
    {
        _saga = await SagaHarness.StartAsync(azurite);
        await _saga.SetStockAsync("SKU-001", 1_000);
        await _saga.SetStockAsync("SKU-002", 1_000);
    }

    public async Task DisposeAsync() => await _saga.DisposeAsync();

    [Fact]
    public async Task CompletesTheOrderWithTheTrackingNumberGivenItAwaitsShipment()
    {
        var orderId = await AwaitingShipmentAsync();
        var message = Dispatched(orderId, "SANDBOX-TRACK42");

        await ConsumeAsync(message);
        var result = await _saga.WaitForEndAsync(orderId);

        VerifyCompleted(message, times: 1);
        Assert.Equal(new FulfillmentResult(orderId, OrderStatuses.Completed), result);
        var order = await _saga.OrderAsync(orderId);
        Assert.Equal(OrderStatuses.Completed, order.Status);
        Assert.Equal("SANDBOX-TRACK42", order.TrackingNumber);
    }

    [Fact]
    public async Task CompletesAndChangesNothingGivenTheSameEventAfterTheOrderCompleted()
    {
        var orderId = await AwaitingShipmentAsync();
        var message = Dispatched(orderId, "SANDBOX-TRACK42");
        await ConsumeAsync(message);
        await _saga.WaitForEndAsync(orderId);
        var completed = await _saga.OrderAsync(orderId);
        var sent = _saga.Shop.Sender.SentFor(orderId).Count;

        await ConsumeAsync(message);

        VerifyCompleted(message, times: 2);
        var order = await _saga.OrderAsync(orderId);
        Assert.Equal(completed.ETag, order.ETag);
        Assert.Equal("SANDBOX-TRACK42", order.TrackingNumber);
        Assert.Equal(sent, _saga.Shop.Sender.SentFor(orderId).Count);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await _saga.Client.GetInstanceAsync(orderId))!.RuntimeStatus);
        Assert.Contains(_saga.Shop.Logs.Records, log => log.Category == typeof(ShipmentDispatchedHandler).FullName
            && log.Message.Contains("after the saga ended (Completed)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CompletesGivenAnEventForAnOrderWithoutASaga()
    {
        var orderId = OrderIds.NewRandom();
        var message = Dispatched(orderId, "SANDBOX-TRACK42");

        await ConsumeAsync(message);

        VerifyCompleted(message, times: 1);
        Assert.Null(await _saga.Client.GetInstanceAsync(orderId));
    }

    [Fact]
    public async Task CompletesTheOrderWhenResumedGivenTheEventArrivedWhileTheSagaWasSuspended()
    {
        var orderId = await AwaitingShipmentAsync();
        await _saga.Client.SuspendInstanceAsync(orderId, "operator check");
        await WaitForRuntimeStatusAsync(orderId, OrchestrationRuntimeStatus.Suspended);
        var message = Dispatched(orderId, "SANDBOX-TRACK42");

        await ConsumeAsync(message);
        await _saga.Client.ResumeInstanceAsync(orderId, "checked");
        var result = await _saga.WaitForEndAsync(orderId);

        VerifyCompleted(message, times: 1);
        Assert.Equal(OrderStatuses.Completed, result.Status);
        Assert.Equal("SANDBOX-TRACK42", (await _saga.OrderAsync(orderId)).TrackingNumber);
    }

    [Fact]
    public async Task DeadLettersValidationFailedGivenAnEventWithoutAnOrderId()
    {
        var message = ServiceBusMessages.Received(
            """{"id":"ShipmentDispatched:x:1","type":"ShipmentDispatched","subject":"x","time":"2030-01-01T00:00:00Z"}""",
            "ShipmentDispatched");

        await ConsumeAsync(message);

        VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed);
    }

    [Fact]
    public async Task DeadLettersUnknownMessageTypeGivenAnotherEvent()
    {
        var message = ServiceBusMessages.Received(Dispatched(OrderIds.NewRandom(), "SANDBOX-TRACK42").Body, "OrderCompleted");

        await ConsumeAsync(message);

        VerifyDeadLettered(message, DeadLetterReasons.UnknownMessageType);
    }

    [Fact]
    public async Task DeadLettersMalformedMessageGivenABodyThatIsNotAnEvent()
    {
        var message = ServiceBusMessages.Received("{not json", "ShipmentDispatched");

        await ConsumeAsync(message);

        VerifyDeadLettered(message, DeadLetterReasons.MalformedMessage);
    }

    [Fact]
    public async Task DeadLettersRetriesExhaustedGivenTheSagaStoreFailsOnTheLastAttempt()
    {
        var orderId = OrderIds.NewRandom();
        var client = new Mock<DurableTaskClient>("failing") { CallBase = true };
        client.Setup(c => c.GetInstancesAsync(orderId, It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("The task hub did not answer."));
        var lastAttempt = new Dictionary<string, object>
        {
            [RetryProperties.Attempt] = 6,
            [RetryProperties.OriginalMessageId] = $"ShipmentDispatched:{orderId}",
            [RetryProperties.RetryFor] = Subscriptions.Fulfillment,
        };
        var message = ServiceBusMessages.Received(
            new Shipment(orderId, "SANDBOX-TRACK42", DateTimeOffset.UtcNow).ToDispatchedMessage(DateTimeOffset.UtcNow, sequence: 5) with
            {
                MessageId = $"ShipmentDispatched:{orderId}#fulfillment#retry6",
                ApplicationProperties = lastAttempt,
            });

        await _saga.Shop.Function<ShipmentDispatchedConsumer>().ShipmentDispatched(message, _actions.Object, client.Object, CancellationToken.None);

        VerifyDeadLettered(message, DeadLetterReasons.RetriesExhausted);
        Assert.Empty(_saga.Shop.Sender.SentFor(orderId));
    }

    [Fact]
    public async Task SchedulesARetryForThisSubscriptionOnlyGivenTheSagaStoreFails()
    {
        var orderId = OrderIds.NewRandom();
        // Every overload of GetInstanceAsync ends in the abstract GetInstancesAsync, so the failure is there.
        var client = new Mock<DurableTaskClient>("failing") { CallBase = true };
        client.Setup(c => c.GetInstancesAsync(orderId, It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("The task hub did not answer."));
        var message = Dispatched(orderId, "SANDBOX-TRACK42");

        await _saga.Shop.Function<ShipmentDispatchedConsumer>().ShipmentDispatched(message, _actions.Object, client.Object, CancellationToken.None);

        VerifyCompleted(message, times: 1);
        var copy = Assert.Single(_saga.Shop.Sender.SentFor(orderId));
        Assert.Equal(Topics.OrderEvents, copy.Destination);
        Assert.Equal($"ShipmentDispatched:{orderId}#fulfillment#retry2", copy.MessageId);
        Assert.Equal(Subscriptions.Fulfillment, copy.ApplicationProperties![RetryProperties.RetryFor]);
    }

    [Fact]
    public async Task RaisesShipmentCancelledWithTheReasonGivenTheCarriersShipmentCancelled()
    {
        var orderId = OrderIds.NewRandom();
        var client = new Mock<DurableTaskClient>("saga") { CallBase = true };
        client.Setup(c => c.GetInstancesAsync(orderId, It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new OrchestrationMetadata("OrderFulfillmentV2", orderId) { RuntimeStatus = OrchestrationRuntimeStatus.Running });
        client.Setup(c => c.RaiseEventAsync(orderId, It.IsAny<string>(), It.IsAny<object?>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        var message = ServiceBusMessages.Received(
            (new Shipment(orderId, "SANDBOX-TRACK42", DateTimeOffset.UtcNow) { CancelReason = "Order cancelled" }).ToCancelledMessage(DateTimeOffset.UtcNow, sequence: 5));

        await _saga.Shop.Function<ShipmentDispatchedConsumer>().ShipmentDispatched(message, _actions.Object, client.Object, CancellationToken.None);

        VerifyCompleted(message, times: 1);
        client.Verify(c => c.RaiseEventAsync(orderId, FulfillmentEvents.ShipmentCancelled, new ShipmentCancelledData("Order cancelled"), It.IsAny<CancellationToken>()), Times.Once);
        client.Verify(c => c.RaiseEventAsync(orderId, FulfillmentEvents.ShipmentDispatched, It.IsAny<object?>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task CompletesWithoutRaisingGivenShipmentCancelledForAnEndedSaga()
    {
        var orderId = await AwaitingShipmentAsync();
        await _saga.Client.TerminateInstanceAsync(orderId);
        await WaitForRuntimeStatusAsync(orderId, OrchestrationRuntimeStatus.Terminated);
        var message = ServiceBusMessages.Received(new Shipment(orderId, string.Empty, DateTimeOffset.UtcNow).ToCancelledMessage(DateTimeOffset.UtcNow, sequence: 5));

        await ConsumeAsync(message);

        VerifyCompleted(message, times: 1);
    }

    [Fact]
    public async Task DeadLettersValidationFailedGivenAnEventWhoseTypeIsNotItsSubject()
    {
        var orderId = OrderIds.NewRandom();
        var dispatched = new Shipment(orderId, "SANDBOX-TRACK42", DateTimeOffset.UtcNow).ToDispatchedMessage(DateTimeOffset.UtcNow, sequence: 5);
        var message = ServiceBusMessages.Received(dispatched with { Subject = Shop.Functions.Orders.Events.OrderEventTypes.ShipmentCancelled });

        await ConsumeAsync(message);

        VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed);
    }

    private static ServiceBusReceivedMessage Dispatched(string orderId, string trackingNumber) =>
        ServiceBusMessages.Received(new Shipment(orderId, trackingNumber, DateTimeOffset.UtcNow).ToDispatchedMessage(DateTimeOffset.UtcNow, sequence: 5));

    private async Task<string> AwaitingShipmentAsync()
    {
        var orderId = await _saga.SubmitAndPlaceAsync();
        await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        return orderId;
    }

    private async Task WaitForRuntimeStatusAsync(string orderId, OrchestrationRuntimeStatus status)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while ((await _saga.Client.GetInstanceAsync(orderId))?.RuntimeStatus != status)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"The saga did not become {status}.");
            await Task.Delay(100);
        }
    }

    private Task ConsumeAsync(ServiceBusReceivedMessage message) =>
        _saga.Shop.Function<ShipmentDispatchedConsumer>().ShipmentDispatched(message, _actions.Object, _saga.Client, CancellationToken.None);

    private void VerifyCompleted(ServiceBusReceivedMessage message, int times)
    {
        _actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Exactly(times));
        _actions.VerifyNoOtherCalls();
    }

    private void VerifyDeadLettered(ServiceBusReceivedMessage message, string reason)
    {
        _actions.Verify(
            a => a.DeadLetterMessageAsync(message, It.IsAny<Dictionary<string, object>?>(), reason, It.IsAny<string?>(), It.IsAny<CancellationToken>()),
            Times.Once);
        _actions.VerifyNoOtherCalls();
    }
}
