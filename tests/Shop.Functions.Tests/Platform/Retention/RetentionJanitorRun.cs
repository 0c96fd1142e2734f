using Azure.Data.Tables;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Retention;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks;
using Shop.Functions.Webhooks.DeliveryLog;
using Shop.Functions.Webhooks.Registration;
using Xunit;

namespace Shop.Functions.Tests.Platform.Retention;

/// <summary>
/// Issue 14: bookkeeping rows of orders that ended more than <see cref="RetentionOptions.BookkeepingRetention"/> ago go,
/// found through the finished-orders index; those of recent and open orders stay; the orders themselves stay; delivery-log
/// rows of subscriptions older than <see cref="RetentionOptions.DeliveryLogRetention"/> go by key range.
/// </summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class RetentionJanitorRun(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly RetentionOptions Defaults = new();

    private RetentionHarness _retention = null!;

    public async Task InitializeAsync() => _retention = await RetentionHarness.StartAsync(azurite);

    public async Task DisposeAsync() => await _retention.DisposeAsync();

    [Fact]
    public async Task IndexesAFinishedOrderByTheDayItEnded()
    {
        var orderId = await _retention.FinishedOrderAsync();

        var entry = Assert.Single(await _retention.FinishedEntriesAsync(orderId));
        Assert.Equal(FinishedOrderIndex.DayPartition(_retention.Clock.Now), entry.PartitionKey);
    }

    [Fact]
    public async Task DeletesTheBookkeepingOfOldFinishedOrdersAndKeepsRecentOnesAndTheOrders()
    {
        var old = await _retention.FinishedOrderAsync();
        await _retention.AddBookkeepingAsync(old);
        _retention.Clock.Advance(Defaults.BookkeepingRetention + TimeSpan.FromDays(1));
        var recent = await _retention.FinishedOrderAsync();
        await _retention.AddBookkeepingAsync(recent);
        Assert.Equal(3, await _retention.BookkeepingRowsAsync(old));

        var run = await _retention.Janitor.RunAsync(_retention.Client, CancellationToken.None);

        Assert.Equal((1, 3, 0), (run.OrdersCleaned, run.BookkeepingRowsDeleted, run.Failed));
        Assert.Equal(0, await _retention.BookkeepingRowsAsync(old));
        Assert.Empty(await _retention.FinishedEntriesAsync(old));
        Assert.Equal(3, await _retention.BookkeepingRowsAsync(recent));
        Assert.Single(await _retention.FinishedEntriesAsync(recent));
        Assert.Equal(OrderStatuses.Failed, (await _retention.OrderAsync(old)).Status);
        Assert.Equal(OrderStatuses.Failed, (await _retention.OrderAsync(recent)).Status);
    }

    [Fact]
    public async Task KeepsTheBookkeepingOfAnOpenOrderWhoseTerminalWriteNeverHappened()
    {
        var open = await _retention.StartOrderAsync();
        await _retention.WaitForStatusAsync(open, OrderStatuses.AwaitingShipment);
        await _retention.AddBookkeepingAsync(open);
        await _retention.Shop.Get<FinishedOrderIndex>().TrackAsync(open, _retention.Clock.Now, CancellationToken.None);
        _retention.Clock.Advance(Defaults.BookkeepingRetention + TimeSpan.FromDays(1));

        var run = await _retention.Janitor.RunAsync(_retention.Client, CancellationToken.None);

        Assert.Equal(0, run.OrdersCleaned);
        Assert.Equal(3, await _retention.BookkeepingRowsAsync(open));
        Assert.Empty(await _retention.FinishedEntriesAsync(open));
    }

    [Fact]
    public async Task KeepsAnOrderIndexedGivenStorageFailsAndCleansItUpOnTheNextRun()
    {
        var faults = new TransportFaults();
        await using var failing = await RetentionHarness.StartAsync(azurite, faults.Install);
        var old = await failing.FinishedOrderAsync();
        await failing.AddBookkeepingAsync(old);
        failing.Clock.Advance(Defaults.BookkeepingRetention + TimeSpan.FromDays(1));
        var rule = faults.Fail(StorageRequest.OnTable(StorageTables.Inbox));

        var first = await failing.Janitor.RunAsync(failing.Client, CancellationToken.None);
        rule.Stop();

        Assert.Equal((0, 1), (first.OrdersCleaned, first.Failed));
        Assert.Single(await failing.FinishedEntriesAsync(old));
        var second = await failing.Janitor.RunAsync(failing.Client, CancellationToken.None);
        Assert.Equal((1, 0), (second.OrdersCleaned, second.Failed));
        Assert.Equal(0, await failing.BookkeepingRowsAsync(old));
        Assert.Empty(await failing.FinishedEntriesAsync(old));
    }

    [Fact]
    public async Task DeletesDeliveryLogRowsOlderThanTheWindowBySubscription()
    {
        var subscription = WebhookIds.NewSubscriptionId();
        var webhooks = _retention.Shop.Tables.GetTableClient(StorageTables.Webhooks);
        await webhooks.AddEntityAsync(new WebhookSubscriptionRow { RowKey = subscription, Url = "http://127.0.0.1:9/all", EventTypes = "*", Secret = "whsec_test" });
        try
        {
            var now = _retention.Clock.Now;
            var old = await AddDeliveryAsync(subscription, "old", now - Defaults.DeliveryLogRetention - TimeSpan.FromHours(1));
            var older = await AddDeliveryAsync(subscription, "older", now - Defaults.DeliveryLogRetention - TimeSpan.FromDays(10));
            var recent = await AddDeliveryAsync(subscription, "recent", now - Defaults.DeliveryLogRetention + TimeSpan.FromHours(1));

            var run = await _retention.Janitor.RunAsync(_retention.Client, CancellationToken.None);

            Assert.Equal(2, run.DeliveryRowsDeleted);
            var left = await _retention.Deliveries.QueryAsync<TableEntity>(e => e.PartitionKey == subscription).Select(e => e.RowKey).ToListAsync();
            Assert.Equal([recent], left);
            Assert.DoesNotContain(old, left);
            Assert.DoesNotContain(older, left);
        }
        finally
        {
            await webhooks.DeleteEntityAsync(WebhookSubscriptionRow.Partition, subscription);
        }
    }

    [Fact]
    public async Task DeletesTheWholeLogOfASubscriptionDeletedBeforeTheWindowThenForgetsIt()
    {
        var store = _retention.Shop.Get<WebhookSubscriptionStore>();
        var subscription = WebhookIds.NewSubscriptionId();
        await store.AddAsync(new WebhookSubscriptionRow { RowKey = subscription, Url = "http://127.0.0.1:9/all", EventTypes = "*", Secret = "whsec_test" }, CancellationToken.None);
        var now = _retention.Clock.Now;
        await AddDeliveryAsync(subscription, "old", now - Defaults.DeliveryLogRetention - TimeSpan.FromDays(1));
        var recent = await AddDeliveryAsync(subscription, "recent", now - TimeSpan.FromHours(1));
        Assert.True(await store.DeleteAsync(subscription, CancellationToken.None));

        var soon = await _retention.Janitor.RunAsync(_retention.Client, CancellationToken.None);

        Assert.Equal(1, soon.DeliveryRowsDeleted);
        Assert.Equal([recent], await _retention.Deliveries.QueryAsync<TableEntity>(e => e.PartitionKey == subscription).Select(e => e.RowKey).ToListAsync());
        Assert.Contains(subscription, (await store.ListDeletedAsync(CancellationToken.None)).Select(d => d.Id));
        Assert.DoesNotContain(subscription, (await store.ListAsync(CancellationToken.None)).Select(s => s.Id));

        _retention.Clock.Advance(Defaults.DeliveryLogRetention + TimeSpan.FromDays(1));
        var later = await _retention.Janitor.RunAsync(_retention.Client, CancellationToken.None);

        Assert.Equal(1, later.DeliveryRowsDeleted);
        Assert.Empty(await _retention.Deliveries.QueryAsync<TableEntity>(e => e.PartitionKey == subscription).ToListAsync());
        Assert.DoesNotContain(subscription, (await store.ListDeletedAsync(CancellationToken.None)).Select(d => d.Id));
    }

    [Fact]
    public async Task RunsFromTheTimerFunction()
    {
        var old = await _retention.FinishedOrderAsync();
        await _retention.AddBookkeepingAsync(old);
        _retention.Clock.Advance(Defaults.BookkeepingRetention + TimeSpan.FromDays(1));

        await _retention.Shop.Function<ApplyRetentionFunction>().ApplyRetention(new TimerInfo(), _retention.Client, CancellationToken.None);

        Assert.Equal(0, await _retention.BookkeepingRowsAsync(old));
    }

    private async Task<string> AddDeliveryAsync(string subscription, string eventId, DateTimeOffset eventTime)
    {
        var id = WebhookIds.DeliveryId(subscription, eventId, eventTime);
        await _retention.Deliveries.AddEntityAsync(new WebhookDeliveryRow { PartitionKey = subscription, RowKey = id, SubscriptionId = subscription, CreatedAt = eventTime });
        return id;
    }
}
