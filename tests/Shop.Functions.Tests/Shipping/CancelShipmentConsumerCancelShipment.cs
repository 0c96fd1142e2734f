using Azure.Data.Tables;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Shipping;
using Shop.Functions.Shipping.Booking;
using Shop.Functions.Shipping.Cancellation;
using Shop.Functions.Shipping.Handover;
using Shop.Functions.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Functions.Tests.Shipping;

/// <summary>
/// The carrier's state machine through its three consumers (ship-order, cancel-shipment, dispatch-booked-shipment) as
/// the host calls them: Booked -> Dispatched | Cancelled on the Shipments row in Azurite, exactly one outcome event.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CancelShipmentConsumerCancelShipment(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private const int RaceIterations = 30;

    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task WritesATombstoneSoThatShipOrderBooksNothingGivenCancelBeforeTheBooking()
    {
        var orderId = OrderIds.NewRandom();

        await CancelAsync(_shop, Cancel(orderId, sequence: 5));
        await ShipAsync(_shop, ShippingTest.Command(orderId));

        var row = Assert.Single(await _shop.ShipmentsAsync(orderId));
        Assert.Equal((ShipmentStates.Cancelled, string.Empty, 5L, "Order cancelled"), (row.State, row.TrackingNumber, row.DispatchSequence, row.CancelReason));
        var cancelled = Assert.Single(_shop.Sender.SentFor(orderId));
        Assert.Equal((Topics.OrderEvents, $"ShipmentCancelled:{orderId}", OrderEventTypes.ShipmentCancelled), (cancelled.Destination, cancelled.MessageId, cancelled.Subject));
        var orderEvent = ShippingTest.EventOf(cancelled);
        Assert.Equal($"ShipmentCancelled:{orderId}:5", orderEvent.Id);
        Assert.Equal(new OrderEventData(orderId, 5, "Cancelled", Reason: "Order cancelled"), orderEvent.Data);
        Assert.Null(cancelled.ScheduledEnqueueTime);
    }

    [Fact]
    public async Task BooksNothingGivenAShipOrderDeadLetterReplayedAfterTheCancel()
    {
        var orderId = OrderIds.NewRandom();
        await CancelAsync(_shop, Cancel(orderId, sequence: 5));
        var sent = _shop.Sender.SentFor(orderId).Count;
        var replayed = ServiceBusMessages.Received(ShippingTest.Command(orderId).ToMessage() with
        {
            ApplicationProperties = new Dictionary<string, object> { [RetryProperties.Replay] = 1 },
        });

        await ShipAsync(_shop, replayed);

        _actions.Verify(a => a.CompleteMessageAsync(replayed, It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(ShipmentStates.Cancelled, Assert.Single(await _shop.ShipmentsAsync(orderId)).State);
        Assert.Equal(sent, _shop.Sender.SentFor(orderId).Count);
    }

    [Fact]
    public async Task CancelsAndPublishesShipmentCancelledThenTheDispatchDoesNothingGivenCancelAfterBookingBeforeDispatch()
    {
        var orderId = OrderIds.NewRandom();
        await ShipAsync(_shop, ShippingTest.Command(orderId));
        var dispatch = Assert.Single(_shop.Sender.SentFor(orderId), m => m.Destination == Queues.DispatchBookedShipment);
        var booked = Assert.Single(await _shop.ShipmentsAsync(orderId));

        await CancelAsync(_shop, Cancel(orderId, sequence: 5));
        await HandOverAsync(_shop, ServiceBusMessages.Received(dispatch));

        var row = Assert.Single(await _shop.ShipmentsAsync(orderId));
        Assert.Equal((ShipmentStates.Cancelled, booked.TrackingNumber), (row.State, row.TrackingNumber));
        Assert.Null(row.DispatchedAt);
        var outcome = Assert.Single(_shop.OutcomesFor(orderId));
        Assert.Equal(OrderEventTypes.ShipmentCancelled, outcome.Subject);
        Assert.Equal(new OrderEventData(orderId, 5, "Cancelled", Reason: "Order cancelled", TrackingNumber: booked.TrackingNumber), ShippingTest.EventOf(outcome).Data);
    }

    [Fact]
    public async Task PublishesNothingGivenTheShipmentWasDispatchedFirst()
    {
        var orderId = OrderIds.NewRandom();
        await ShipAsync(_shop, ShippingTest.Command(orderId));
        await HandOverAsync(_shop, ServiceBusMessages.Received(Assert.Single(_shop.Sender.SentFor(orderId))));
        var dispatched = Assert.Single(_shop.OutcomesFor(orderId));

        var cancel = Cancel(orderId, sequence: 5);
        await CancelAsync(_shop, cancel);

        _actions.Verify(a => a.CompleteMessageAsync(cancel, It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(ShipmentStates.Dispatched, Assert.Single(await _shop.ShipmentsAsync(orderId)).State);
        Assert.Equal(dispatched, Assert.Single(_shop.OutcomesFor(orderId)));
        Assert.Equal(OrderEventTypes.ShipmentDispatched, dispatched.Subject);
    }

    [Fact]
    public async Task AnswersAlreadyDispatchedGivenAShipmentBookedBeforeStatesExisted()
    {
        // Its ShipmentDispatched was scheduled when it was booked: cancelling it now would announce both outcomes.
        var orderId = OrderIds.NewRandom();
        var legacy = new TableEntity(orderId, ShipmentRow.Key)
        {
            [nameof(ShipmentRow.TrackingNumber)] = "SANDBOX-0000000000000001",
            [nameof(ShipmentRow.Carrier)] = SandboxCarrier.CarrierName,
            [nameof(ShipmentRow.Items)] = "[]",
            [nameof(ShipmentRow.CreatedAt)] = DateTimeOffset.UtcNow,
        };
        await _shop.Tables.GetTableClient(StorageTables.Shipments).AddEntityAsync(legacy);

        await CancelAsync(_shop, Cancel(orderId, sequence: 5));

        Assert.Null(Assert.Single(await _shop.ShipmentsAsync(orderId)).State);
        Assert.Empty(_shop.Sender.SentFor(orderId));
    }

    [Fact]
    public async Task ChangesTheRowOnceAndSendsTheSameEventGivenTheSameCommandRedelivered()
    {
        var orderId = OrderIds.NewRandom();
        await ShipAsync(_shop, ShippingTest.Command(orderId));
        var cancel = Cancel(orderId, sequence: 5);

        await CancelAsync(_shop, cancel);
        var first = Assert.Single(await _shop.ShipmentsAsync(orderId));
        await CancelAsync(_shop, cancel);

        var again = Assert.Single(await _shop.ShipmentsAsync(orderId));
        Assert.Equal(first.ETag, again.ETag);
        var sent = _shop.CancelledFor(orderId);
        Assert.Equal(2, sent.Count);
        Assert.Single(sent.Select(m => (m.MessageId, m.Body.ToString())).Distinct());
        Assert.Empty(_shop.DispatchedFor(orderId));
    }

    [Fact]
    public async Task EndsInExactlyOneOutcomeWithOneEventGivenCancelAndDispatchRacingOnTwoInstances()
    {
        await using var other = await ShopTestServices.StartAsync(azurite.ConnectionString);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < RaceIterations; i++)
        {
            var orderId = OrderIds.NewRandom();
            await ShipAsync(_shop, ShippingTest.Command(orderId));
            var dispatch = ServiceBusMessages.Received(Assert.Single(_shop.Sender.SentFor(orderId)));

            // Every other iteration the cancel starts first, so both orders of arrival are raced.
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var cancelFirst = i % 2 == 1;
            var handOver = Task.Run(() => AtGateAsync(gate.Task, yieldFirst: cancelFirst, () => HandOverAsync(_shop, dispatch)));
            var cancel = Task.Run(() => AtGateAsync(gate.Task, yieldFirst: !cancelFirst, () => CancelAsync(other, Cancel(orderId, sequence: 5))));
            gate.SetResult();
            await Task.WhenAll(handOver, cancel);

            var row = Assert.Single(await _shop.ShipmentsAsync(orderId));
            var events = _shop.OutcomesFor(orderId).Concat(other.OutcomesFor(orderId)).ToList();
            var outcome = Assert.Single(events);
            var expected = row.State == ShipmentStates.Dispatched ? OrderEventTypes.ShipmentDispatched : OrderEventTypes.ShipmentCancelled;
            Assert.Contains(row.State, new[] { ShipmentStates.Dispatched, ShipmentStates.Cancelled });
            Assert.Equal(expected, outcome.Subject);
            Assert.Equal($"{expected}:{orderId}:5", ShippingTest.EventOf(outcome).Id);
            Assert.True(row.State == ShipmentStates.Dispatched ? row.CancelledAt is null : row.DispatchedAt is null, $"Iteration {i}: both outcomes recorded.");
            outcomes[row.State!] = outcomes.GetValueOrDefault(row.State!) + 1;
        }

        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));
        Assert.Equal(RaceIterations, outcomes.Values.Sum());
    }

    [Theory]
    [InlineData("""{"orderId":"ord/1","dispatchSequence":5,"reason":"x"}""", "not an order id")]
    [InlineData("""{"dispatchSequence":5,"reason":"x"}""", "no orderId")]
    [InlineData("""{"orderId":"@","dispatchSequence":-1,"reason":"x"}""", "negative")]
    public async Task DeadLettersValidationFailedWithoutEffectGivenACommandThatCanNeverBeHonoured(string body, string problem)
    {
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(body.Replace("@", orderId, StringComparison.Ordinal), nameof(CancelShipment), $"CancelShipment:{orderId}", orderId);

        await CancelAsync(_shop, message);

        var call = Assert.Single(_actions.Invocations);
        Assert.Equal(nameof(ServiceBusMessageActions.DeadLetterMessageAsync), call.Method.Name);
        Assert.Equal(DeadLetterReasons.ValidationFailed, call.Arguments[2]);
        Assert.Contains(problem, (string)call.Arguments[3]!, StringComparison.Ordinal);
        Assert.Empty(await _shop.ShipmentsAsync(orderId));
        Assert.Empty(_shop.Sender.Sent);
    }

    private static async Task AtGateAsync(Task gate, bool yieldFirst, Func<Task> action)
    {
        await gate;
        if (yieldFirst)
        {
            await Task.Yield();
        }

        await action();
    }

    private static ServiceBusReceivedMessage Cancel(string orderId, long sequence) =>
        ServiceBusMessages.Received(new CancelShipment(orderId, sequence, "Order cancelled").ToMessage());

    private Task ShipAsync(ShopTestServices shop, ShipOrder command) => ShipAsync(shop, ServiceBusMessages.Received(command.ToMessage()));

    private Task ShipAsync(ShopTestServices shop, ServiceBusReceivedMessage message) =>
        shop.Function<ShipOrderConsumer>().ShipOrder(message, _actions.Object, CancellationToken.None);

    private Task CancelAsync(ShopTestServices shop, ServiceBusReceivedMessage message) =>
        shop.Function<CancelShipmentConsumer>().CancelShipment(message, _actions.Object, CancellationToken.None);

    private Task HandOverAsync(ShopTestServices shop, ServiceBusReceivedMessage message) =>
        shop.Function<DispatchBookedShipmentConsumer>().DispatchBookedShipment(message, _actions.Object, CancellationToken.None);
}
