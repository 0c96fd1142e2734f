using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Fulfillment;
using Shop.Functions.Fulfillment.Start;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Notifications;
using Shop.Functions.Notifications.NotifyCustomer;
using Shop.Functions.Orders;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Retention;
using Shop.Functions.Tests.Fulfillment;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Shop.Functions.Webhooks;
using Shop.Functions.Webhooks.DeliveryLog;
using Shop.Functions.Webhooks.Dispatch;
using Xunit;

namespace Shop.Functions.Tests.Platform.Retention;

/// <summary>
/// The app's services on Azurite with the clock in the test's hands (a random day of 2001, long before any other test's
/// orders, whose days the harness clears from the finished-orders index), and the saga on a Durable test engine, which
/// keeps real time: instances are created "now", whatever the app's clock says.
/// </summary>
public sealed class RetentionHarness : IAsyncDisposable
{
    private RetentionHarness(ShopTestServices shop, DurableTaskTestHost durable, ManualClock clock)
    {
        Shop = shop;
        Durable = durable;
        Clock = clock;
    }

    public ShopTestServices Shop { get; }

    public DurableTaskTestHost Durable { get; }

    public DurableTaskClient Client => Durable.Client;

    public ManualClock Clock { get; }

    public RetentionJanitor Janitor => Shop.Get<RetentionJanitor>();

    public TableClient Inbox => Shop.Tables.GetTableClient(StorageTables.Inbox);

    public TableClient Deliveries => Shop.Tables.GetTableClient(StorageTables.WebhookDeliveries);

    public TableClient Finished => Shop.Get<FinishedOrderIndex>().Table;

    public static async Task<RetentionHarness> StartAsync(AzuriteFixture azurite, Action<IServiceCollection>? configure = null)
    {
        var clock = new ManualClock(new DateTimeOffset(2001, 1, 1, 12, 0, 0, TimeSpan.Zero).AddDays(Random.Shared.Next(0, 300)));
        var shop = await ShopTestServices.StartAsync(
            azurite.ConnectionString,
            new Dictionary<string, string?>
            {
                ["Fulfillment:ShippingTimeout"] = "00:05:00",
                ["Fulfillment:ActivityMaxAttempts"] = "4",
                ["Fulfillment:ActivityFirstRetryInterval"] = "00:00:00.100",
                ["Fulfillment:ActivityMaxRetryInterval"] = "00:00:00.500",
            },
            services =>
            {
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
                configure?.Invoke(services);
            });
        var stale = await shop.Get<FinishedOrderIndex>().Table
            .QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo("done-2000") >= 0 && e.PartitionKey.CompareTo("done-2003") < 0)
            .ToListAsync();
        foreach (var row in stale)
        {
            await shop.Get<FinishedOrderIndex>().Table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All);
        }

        await shop.Tables.SetStockAsync("SKU-001", 1_000_000);
        await shop.Tables.SetStockAsync("SKU-002", 1_000_000);
        var durable = await SagaHarness.StartEngineAsync(shop.Function<FulfillmentActivities>());
        return new RetentionHarness(shop, durable, clock);
    }

    /// <summary>Submits and places an order paid with <paramref name="token"/>; returns its id.</summary>
    public async Task<string> StartOrderAsync(string token = "tok_visa_secret_123")
    {
        var request = HttpTest.Request("POST", "/api/orders", OrderRequests.With(body => body["payment"]!["token"] = token));
        var response = await HttpTest.RunAsync(request, await Shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None));
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        var orderId = response.Json().GetProperty("orderId").GetString()!;
        Assert.Equal(
            MessageOutcome.Completed,
            await new PlaceOrderHandler(Client, Shop.Get<OrderStore>(), Shop.Get<FulfillmentStarter>()).HandleAsync(
                new PlaceOrder(orderId),
                new MessageContext($"PlaceOrder:{orderId}", nameof(PlaceOrder), orderId, 1, DateTimeOffset.UtcNow),
                CancellationToken.None));
        return orderId;
    }

    /// <summary>An order whose card is declined: the saga ends it Failed and completes.</summary>
    public async Task<string> FinishedOrderAsync()
    {
        var orderId = await StartOrderAsync("tok_decline_retention");
        await WaitForStatusAsync(orderId, OrderStatuses.Failed);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Client.WaitForInstanceCompletionAsync(orderId, timeout.Token);
        return orderId;
    }

    /// <summary>What the consumers leave behind for an order: the notifications mark and two callback deliveries.</summary>
    public async Task AddBookkeepingAsync(string orderId)
    {
        await Inbox.UpsertEntityAsync(new TableEntity(orderId, NotificationProgress.RowKey) { ["LastSequence"] = 5L });
        foreach (var n in new[] { 1, 2 })
        {
            var at = Clock.Now.AddMinutes(n);
            await Deliveries.UpsertEntityAsync(new WebhookDeliveryRow
            {
                PartitionKey = $"{DeliverWebhook.CallbackTarget}-{orderId}",
                RowKey = WebhookIds.DeliveryId(DeliverWebhook.CallbackTarget, $"OrderFailed:{orderId}:{n}", at),
                OrderId = orderId,
                CreatedAt = at,
            });
        }
    }

    public async Task<int> BookkeepingRowsAsync(string orderId)
    {
        var marks = await Inbox.QueryAsync<TableEntity>(e => e.PartitionKey == orderId).CountAsync();
        var deliveries = await Deliveries.QueryAsync<TableEntity>(e => e.PartitionKey == $"{DeliverWebhook.CallbackTarget}-{orderId}").CountAsync();
        return marks + deliveries;
    }

    public async Task<List<FinishedOrderRow>> FinishedEntriesAsync(string orderId) =>
        await Finished.QueryAsync<FinishedOrderRow>(e => e.RowKey == orderId).ToListAsync();

    public Task<OrderRow> OrderAsync(string orderId) => OrderRows.ReadAsync(Shop, orderId);

    public Task<OrderRow> WaitForStatusAsync(string orderId, string status, int seconds = 30) =>
        OrderRows.WaitForStatusAsync(Shop, orderId, status, seconds);

    public async ValueTask DisposeAsync()
    {
        await Durable.DisposeAsync();
        await Shop.DisposeAsync();
    }
}
