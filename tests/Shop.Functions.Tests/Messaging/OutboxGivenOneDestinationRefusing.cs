using Microsoft.AspNetCore.Http;
using Shop.Functions.Fulfillment;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.Messaging;

/// <summary>
/// Issue 13, case 7: only the <c>order-events</c> topic refuses messages (at its size quota, say) while <c>place-order</c>
/// is healthy. New orders must still start: their PlaceOrder goes out through the immediate send (one circuit per
/// destination) and through the sweeper (which skips the failing destination and goes on).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OutboxGivenOneDestinationRefusing(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly string[] EventTypes =
        [OrderEventTypes.OrderAccepted, OrderEventTypes.StockReserved, OrderEventTypes.PaymentCaptured, OrderEventTypes.StockReleased];

    private ShopTestServices _shop = null!;
    private int _orderEventsAttempts;

    public async Task InitializeAsync()
    {
        _shop = await ShopTestServices.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Outbox:SweepAge"] = "00:00:00",
            ["Outbox:ImmediateSendTimeout"] = "00:00:00.500",
        });
        _shop.Sender.FailWhen = message =>
        {
            if (message.Destination != Topics.OrderEvents)
            {
                return false;
            }

            Interlocked.Increment(ref _orderEventsAttempts);
            return true;
        };
    }

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task SendsPlaceOrderAtOnceGivenTheOrderEventsCircuitOpen()
    {
        // Two orders whose events all fail: the order-events circuit opens (5 calls, more than half failed).
        foreach (var orderId in new[] { await SubmitAsync(), await SubmitAsync() })
        {
            foreach (var type in EventTypes)
            {
                await _shop.Get<OrderProgress>().RecordAsync(orderId, new OrderChange(type, OrderStatuses.Processing), CancellationToken.None);
            }
        }

        var attempts = Volatile.Read(ref _orderEventsAttempts);
        Assert.InRange(attempts, 1, 2 * EventTypes.Length - 1);

        var next = await SubmitAsync();
        await _shop.Get<OrderProgress>().RecordAsync(next, new OrderChange(OrderEventTypes.OrderAccepted, OrderStatuses.Processing), CancellationToken.None);

        // The new order's PlaceOrder went out; its event was not even tried (that circuit is open).
        var sent = Assert.Single(_shop.Sender.SentFor(next));
        Assert.Equal(Queues.PlaceOrder, sent.Destination);
        Assert.Equal(attempts, Volatile.Read(ref _orderEventsAttempts));
    }

    [Fact]
    public async Task SweepsPlaceOrderOfEveryOrderGivenOrderEventsRefusing()
    {
        // Service Bus down at submit: each order leaves its PlaceOrder and an event in the outbox. In each partition the
        // event's row (outbox|OrderAccepted:...) sorts before the command's (outbox|PlaceOrder:...).
        _shop.Sender.FailWith = new InvalidOperationException("Service Bus is down");
        var orderIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var orderId = await SubmitAsync();
            await _shop.Get<OrderProgress>().RecordAsync(orderId, new OrderChange(OrderEventTypes.OrderAccepted, OrderStatuses.Processing), CancellationToken.None);
            orderIds.Add(orderId);
        }

        _shop.Sender.FailWith = null;
        await _shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None);

        foreach (var orderId in orderIds)
        {
            var sent = Assert.Single(_shop.Sender.SentFor(orderId));
            Assert.Equal($"PlaceOrder:{orderId}", sent.MessageId);
            var left = Assert.Single(await OutboxRowsAsync(orderId));
            Assert.Equal(Topics.OrderEvents, left.Destination);
        }

        // Tried once per run, not once per row.
        Assert.Equal(1, Volatile.Read(ref _orderEventsAttempts));
    }

    private async Task<string> SubmitAsync()
    {
        var request = HttpTest.Request("POST", "/api/orders", OrderRequests.ValidJson());
        var response = await HttpTest.RunAsync(request, await _shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None));
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);

        // What runs behind the 202 (the order row, the PlaceOrder send) is done before the test looks.
        await _shop.Get<OutboxRelay>().DrainAsync();
        return response.Json().GetProperty("orderId").GetString()!;
    }

    private async Task<List<OutboxRow>> OutboxRowsAsync(string orderId) =>
        await _shop.OrdersTable
            .QueryAsync<OutboxRow>(e => e.PartitionKey == orderId && e.RowKey != OrderRow.OrderRowKey)
            .ToListAsync();
}
