using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Orders.Watchdog;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Orders.Watchdog;

/// <summary>
/// Issue 13: no order stays non-terminal with nobody looking. The watchdog reads the shards (and the due buckets of entries
/// from before them) of the open-orders index (never Orders), writes the row of an order only its entry holds, and starts a saga that never started, looks again at one still running, drops a terminal order, and
/// marks NeedsAttention an order whose saga ended while it was open.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OpenOrdersWatchdogRun(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan PastDue = new OpenOrdersOptions().DueAfter + TimeSpan.FromMinutes(OpenOrderIndex.BucketMinutes);
    private static readonly TimeSpan Recheck = new OpenOrdersOptions().RecheckInterval;

    private WatchdogHarness _watch = null!;

    public async Task InitializeAsync() => _watch = await WatchdogHarness.StartAsync(azurite);

    public async Task DisposeAsync() => await _watch.DisposeAsync();

    [Fact]
    public async Task TracksEveryOrderAtIntakeDueAfterTheSetting()
    {
        var orderId = await _watch.SubmitAsync();

        var entry = Assert.Single(await _watch.EntriesAsync(orderId));
        Assert.Equal(_watch.Clock.Now + new OpenOrdersOptions().DueAfter, entry.DueAt);
        Assert.Equal(OpenOrderIndex.OpenPartition(orderId), entry.PartitionKey);
    }

    [Fact]
    public async Task LeavesAnOrderAloneBeforeItIsDue()
    {
        var orderId = await _watch.SubmitAsync();
        _watch.Clock.Advance(TimeSpan.FromMinutes(5));

        var run = await _watch.WatchAsync();

        Assert.Equal(0, run.Due);
        Assert.Null(await _watch.Client.GetInstanceAsync(orderId));
    }

    [Fact]
    public async Task StartsTheSagaGivenAnOrderWhosePlaceOrderNeverArrived()
    {
        var orderId = await _watch.SubmitAsync();
        _watch.Clock.Advance(PastDue);

        var run = await _watch.WatchAsync();

        Assert.Equal(new WatchdogRun(1, 0, 1, 0, 0, 0), run);
        Assert.NotNull(await _watch.Client.GetInstanceAsync(orderId));
        await _watch.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        var entry = Assert.Single(await _watch.EntriesAsync(orderId));
        Assert.Equal(_watch.Clock.Now + Recheck, entry.DueAt);

        // The entry held the order until this look; from now on it keeps only what the watchdog reads.
        Assert.False(entry.HasOrder);
        var fields = (await _watch.Index.Table.GetEntityAsync<Azure.Data.Tables.TableEntity>(entry.PartitionKey, entry.RowKey)).Value;
        Assert.False(fields.ContainsKey(nameof(OrderRow.PaymentToken)));
        Assert.Equal((await _watch.OrderAsync(orderId)).RequestHash, entry.RequestHash);
    }

    [Fact]
    public async Task StartsTheSagaGivenAPlaceOrderThatCouldNeitherBeSentNorWrittenToTheOutboxIndex()
    {
        // The submit's PlaceOrder is not stored with the order: when the broker refuses it and the outbox index cannot take
        // it either, the order's open-orders entry, written before the order, is what still watches the order.
        _watch.Shop.Sender.FailWith = new InvalidOperationException("Service Bus is down");
        await _watch.Shop.Tables.DeleteTableAsync(StorageTables.OutboxIndex);
        try
        {
            var orderId = await _watch.SubmitAsync();
            await _watch.Shop.Get<OutboxRelay>().DrainAsync();
            _watch.Shop.Sender.FailWith = null;

            Assert.Empty(_watch.Shop.Sender.SentFor(orderId));
            Assert.Contains(_watch.Shop.Logs.Records, log => log.Level == Microsoft.Extensions.Logging.LogLevel.Error
                && log.Message.Contains($"PlaceOrder:{orderId}", StringComparison.Ordinal) && log.Message.Contains("could neither be sent nor written", StringComparison.Ordinal));
            // Storage is whole again by the time the order falls due (the saga's steps use the index).
            await _watch.Shop.Tables.CreateTableIfNotExistsAsync(StorageTables.OutboxIndex);
            _watch.Clock.Advance(PastDue);

            Assert.Equal(new WatchdogRun(1, 0, 1, 0, 0, 0), await _watch.WatchAsync());
            await _watch.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        }
        finally
        {
            await _watch.Shop.Tables.CreateTableIfNotExistsAsync(StorageTables.OutboxIndex);
        }
    }

    [Fact]
    public async Task LooksAgainLaterGivenASagaStillRunning()
    {
        var orderId = await _watch.SubmitAsync();
        await _watch.PlaceAsync(orderId);
        await _watch.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        _watch.Clock.Advance(PastDue);

        Assert.Equal(new WatchdogRun(1, 0, 0, 1, 0, 0), await _watch.WatchAsync());
        var entry = Assert.Single(await _watch.EntriesAsync(orderId));
        Assert.Equal(_watch.Clock.Now + Recheck, entry.DueAt);
        Assert.Equal(OpenOrderIndex.OpenPartition(orderId), entry.PartitionKey);

        // Not due again until the recheck interval has passed; then looked at again.
        Assert.Equal(0, (await _watch.WatchAsync()).Due);
        _watch.Clock.Advance(Recheck + TimeSpan.FromMinutes(OpenOrderIndex.BucketMinutes));
        Assert.Equal(new WatchdogRun(1, 0, 0, 1, 0, 0), await _watch.WatchAsync());
        Assert.Single(await _watch.EntriesAsync(orderId));
        Assert.Equal(OrderStatuses.AwaitingShipment, (await _watch.OrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task DropsTheEntryGivenATerminalOrder()
    {
        var orderId = await CompletedOrderAsync("TRACK-1");
        _watch.Clock.Advance(PastDue);

        Assert.Equal(new WatchdogRun(1, 1, 0, 0, 0, 0), await _watch.WatchAsync());

        Assert.Empty(await _watch.EntriesAsync(orderId));
        Assert.Equal(OrderStatuses.Completed, (await _watch.OrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task SendsOutboxRowsLeftInTheOrdersPartitionAndDropsTheEntryOnlyOnceTheyAreGone()
    {
        // A saga step's transaction is not preceded by a pointer: a writer that dies between its transaction and its sends
        // (and is never run again) leaves its rows in the order's partition, with nothing in the outbox index.
        var orderId = await CompletedOrderAsync("TRACK-3");
        await _watch.Shop.Get<OutboxRelay>().DrainAsync();
        var order = await _watch.OrderAsync(orderId);
        var left = OrderEvent.For(OrderEventTypes.OrderCompleted, _watch.Clock.Now, new OrderEventData(orderId, order.Sequence, order.Status)).ToMessage("left:" + orderId);
        await _watch.Shop.OrdersTable.AddEntityAsync(OutboxRow.For(orderId, left, _watch.Clock.Now));
        _watch.Clock.Advance(PastDue);

        // Sent, and the entry kept for one more look: the rows' deletes run after the send.
        Assert.Equal(new WatchdogRun(1, 0, 0, 1, 0, 0), await _watch.WatchAsync());
        await _watch.Shop.Get<OutboxRelay>().DrainAsync();
        Assert.Single(_watch.Shop.Sender.SentFor(orderId), message => message.MessageId == left.MessageId);
        Assert.Empty(await PendingMessages.ForOrderAsync(_watch.Shop.Tables, orderId));
        Assert.Single(await _watch.EntriesAsync(orderId));
        Assert.Contains(_watch.Shop.Logs.Records, log => log.Message.Contains($"Order {orderId}: 1 outbox rows were left unsent", StringComparison.Ordinal));

        _watch.Clock.Advance(Recheck + TimeSpan.FromMinutes(OpenOrderIndex.BucketMinutes));
        Assert.Equal(new WatchdogRun(1, 1, 0, 0, 0, 0), await _watch.WatchAsync());
        Assert.Empty(await _watch.EntriesAsync(orderId));
        Assert.Single(_watch.Shop.Sender.SentFor(orderId), message => message.MessageId == left.MessageId);
    }

    [Fact]
    public async Task KeepsTheEntryUntilThePartitionIsEmptyGivenTheOrderEndedBetweenTheLooksReadAndItsWrite()
    {
        var orderId = await OpenOrderWithTerminatedSagaAsync();
        await _watch.Shop.Get<OutboxRelay>().DrainAsync();
        _watch.Clock.Advance(PastDue);
        // The look has read the order (open) and now queries its partition: at that moment a last write lands, the order
        // terminal and an event of it still in the partition (its writer died before sending it).
        var left = OutboxRow.For(
            orderId,
            new OutgoingMessage(Topics.OrderEvents, $"OrderCompleted:{orderId}:9", OrderEventTypes.OrderCompleted, orderId, BinaryData.FromString("{}")),
            _watch.Clock.Now);
        _watch.Requests.Before = async request =>
        {
            if (request.Method == "GET" && request.Path.EndsWith("Orders()", StringComparison.Ordinal) && request.Query.Contains(orderId, StringComparison.Ordinal))
            {
                _watch.Requests.Before = null;
                var order = await _watch.OrderAsync(orderId);
                order.Status = OrderStatuses.Completed;
                await _watch.Shop.OrdersTable.UpdateEntityAsync(order, order.ETag);
                await _watch.Shop.OrdersTable.AddEntityAsync(left);
            }
        };

        // Its NeedsAttention write finds the order ended and changes nothing; the entry stays for a look at the partition.
        Assert.Equal(new WatchdogRun(1, 0, 0, 1, 0, 0), await _watch.WatchAsync());
        Assert.Single(await _watch.EntriesAsync(orderId));
        Assert.Equal(OrderStatuses.Completed, (await _watch.OrderAsync(orderId)).Status);

        _watch.Clock.Advance(Recheck + new OutboxOptions().SweepAge);
        await _watch.WatchAsync();
        await _watch.Shop.Get<OutboxRelay>().DrainAsync();
        _watch.Clock.Advance(Recheck);
        await _watch.WatchAsync();

        Assert.Single(_watch.Shop.Sender.SentFor(orderId), message => message.MessageId == left.MessageId);
        Assert.Empty(await PendingMessages.ForOrderAsync(_watch.Shop.Tables, orderId));
        Assert.Empty(await _watch.EntriesAsync(orderId));
    }

    [Fact]
    public async Task MarksNeedsAttentionAndListsTheOrderGivenASagaThatEndedWithTheOrderOpen()
    {
        var orderId = await OpenOrderWithTerminatedSagaAsync();

        _watch.Clock.Advance(PastDue);

        Assert.Equal(new WatchdogRun(1, 0, 0, 0, 1, 0), await _watch.WatchAsync());

        var order = await _watch.OrderAsync(orderId);
        Assert.Equal(OrderStatuses.NeedsAttention, order.Status);
        Assert.Equal(OpenOrdersWatchdog.SagaEnded, order.FailureReason);
        Assert.True(OrderStatuses.IsTerminal(order.Status));
        var published = _watch.Shop.Sender.SentFor(orderId).Where(m => m.Destination == Topics.OrderEvents).ToList();
        var needsAttention = Assert.Single(published, m => m.Subject == OrderEventTypes.OrderNeedsAttention);
        var orderEvent = JsonSerializer.Deserialize(needsAttention.Body.ToString(), ShopJsonContext.Default.OrderEvent)!;
        Assert.Equal(OrderStatuses.NeedsAttention, orderEvent.Data.Status);
        Assert.Empty(await _watch.EntriesAsync(orderId));

        var flagged = Assert.Single(await AllNeedingAttentionAsync(), e => e.OrderId == orderId);
        Assert.Contains("Terminated", flagged.Reason, StringComparison.Ordinal);
        Assert.Contains(OrderStatuses.AwaitingShipment, flagged.Reason, StringComparison.Ordinal);
        Assert.Equal(_watch.Clock.Now, flagged.FlaggedAt);

        // Nothing more to do for it: the next run finds nothing due, and no saga is started again.
        _watch.Clock.Advance(Recheck * 2);
        Assert.Equal(0, (await _watch.WatchAsync()).Due);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await _watch.Client.GetInstanceAsync(orderId))!.RuntimeStatus);
    }

    [Fact]
    public async Task RunsFromTheTimerFunction()
    {
        var orderId = await _watch.SubmitAsync();
        _watch.Clock.Advance(PastDue);

        await _watch.Shop.Function<WatchOpenOrdersFunction>().WatchOpenOrders(new Microsoft.Azure.Functions.Worker.TimerInfo(), _watch.Client, CancellationToken.None);

        Assert.NotNull(await _watch.Client.GetInstanceAsync(orderId));
    }

    [Fact]
    public async Task DropsTheEntryGivenNoOrderBehindIt()
    {
        // The build before the shards wrote the entry first, in a due bucket; its order insert then failed (told 503).
        var orderId = OrderIds.NewRandom();
        await BucketEntryAsync(orderId, _watch.Clock.Now);

        Assert.Equal(new WatchdogRun(1, 1, 0, 0, 0, 0), await _watch.WatchAsync());

        Assert.Empty(await _watch.EntriesAsync(orderId));
        Assert.Null(await _watch.Client.GetInstanceAsync(orderId));
    }

    [Fact]
    public async Task ReadsOnlyDuePartitionsAndNeverQueriesOrders()
    {
        var running = await _watch.SubmitAsync();
        await _watch.PlaceAsync(running);
        await _watch.WaitForStatusAsync(running, OrderStatuses.AwaitingShipment);
        var completed = await CompletedOrderAsync("TRACK-2");
        // Not due yet: in a later bucket, which the run must not read.
        await BucketEntryAsync(OrderIds.NewRandom(), _watch.Clock.Now + PastDue + PastDue);
        _watch.Clock.Advance(PastDue);
        _watch.Requests.Clear();

        var run = await _watch.WatchAsync();

        Assert.Equal(new WatchdogRun(2, 1, 0, 1, 0, 0), run);
        var requests = _watch.Requests.Requests.ToList();
        var queries = requests.Where(r => r.Method == "GET" && r.Path.EndsWith("()", StringComparison.Ordinal)).ToList();
        // Two queries of OpenOrders: the shards' key range, and the due buckets of entries from before the shards, up to now.
        var indexQueries = queries.Where(r => r.Path.EndsWith($"/{StorageTables.OpenOrders}()", StringComparison.Ordinal)).Select(r => r.Query).ToList();
        Assert.Equal(2, indexQueries.Count);
        Assert.Single(indexQueries, q => q.Contains($"PartitionKey ge '{OpenOrderIndex.OpenPrefix}'", StringComparison.Ordinal) && q.Contains("PartitionKey lt 'open.'", StringComparison.Ordinal));
        Assert.Single(indexQueries, q => q.Contains($"PartitionKey ge '{OpenOrderIndex.DuePrefix}'", StringComparison.Ordinal)
            && q.Contains($"PartitionKey le '{OpenOrderIndex.DuePartition(_watch.Clock.Now)}'", StringComparison.Ordinal));
        // Orders only by the order's key: a point read of the row and a query of its partition for outbox rows left behind.
        var orderReads = requests.Where(r => r.Path.Contains($"/{StorageTables.Orders}(", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, orderReads.Count);
        foreach (var orderId in new[] { running, completed })
        {
            Assert.Single(orderReads, r => r.Path.Contains($"PartitionKey='{orderId}'", StringComparison.Ordinal));
            Assert.Single(orderReads, r => r.Query.Contains($"PartitionKey eq '{orderId}'", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task WritesTheRowAndStartsTheSagaGivenAnEntryThatStillHoldsTheOrder()
    {
        // The instance died right after the 202: the entry holds the order, and no row, no PlaceOrder came after it.
        var model = await _watch.OrderAsync(await _watch.SubmitAsync());
        var orderId = OrderIds.NewRandom();
        var order = new OrderRow();
        foreach (var property in typeof(OrderRow).GetProperties().Where(p => p.CanWrite))
        {
            property.SetValue(order, property.GetValue(model));
        }

        order.PartitionKey = orderId;
        order.RequestHash = "held-" + orderId;
        order.ETag = default;
        await _watch.Index.HoldAsync(order, _watch.Clock.Now + new OpenOrdersOptions().DueAfter, CancellationToken.None);
        Assert.False((await _watch.Shop.OrdersTable.GetEntityIfExistsAsync<OrderRow>(orderId, OrderRow.OrderRowKey)).HasValue);
        _watch.Clock.Advance(PastDue);

        var run = await _watch.WatchAsync();

        // Both orders had no saga (nothing placed them); the held one's row is written from its entry first.
        Assert.Equal(new WatchdogRun(2, 0, 2, 0, 0, 0), run);
        var row = await _watch.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        Assert.Equal(model.CustomerId, row.CustomerId);
        Assert.Equal(order.RequestHash, row.RequestHash);
        var entry = Assert.Single(await _watch.EntriesAsync(orderId));
        Assert.False(entry.HasOrder);
        Assert.Equal(_watch.Clock.Now + Recheck, entry.DueAt);
    }

    [Fact]
    public async Task KeepsAKeyedOrdersKeyUntilItsIdempotencyWindowEndsThenForgetsIt()
    {
        var key = Guid.NewGuid().ToString();
        var body = OrderRequests.ValidJson();
        var orderId = await CompletedOrderAsync("TRACK-K", body, key);
        var order = await _watch.OrderAsync(orderId);
        _watch.Clock.Advance(PastDue);

        // Its watch ends, and the entry stays closed, remembering the key until the window ends.
        Assert.Equal(new WatchdogRun(1, 1, 0, 0, 0, 0), await _watch.WatchAsync());
        var closed = Assert.Single(await _watch.EntriesAsync(orderId));
        Assert.True(closed.Closed);
        Assert.False(closed.HasOrder);
        Assert.Equal(order.CreatedAt + new OrdersOptions().IdempotencyWindow, closed.DueAt);

        // Within the window: the same key and body answer the order; another body is refused. Nothing new is written.
        Assert.Equal(orderId, await _watch.SubmitAsync(body, key));
        var refused = await _watch.PostAsync(OrderRequests.With(b => b["customer"]!["id"] = "someone-else"), key);
        SubmitOrderFunctionSubmitOrder.AssertProblem(refused, StatusCodes.Status422UnprocessableEntity, "urn:shop:problem:idempotency-key-reused");
        Assert.Single(await _watch.EntriesAsync(orderId));
        Assert.Equal(0, (await _watch.WatchAsync()).Due);

        // The window ends: the entry goes at the next run, and the order stays as it was.
        _watch.Clock.Advance(new OrdersOptions().IdempotencyWindow);
        Assert.Equal(new WatchdogRun(1, 1, 0, 0, 0, 0), await _watch.WatchAsync());
        Assert.Empty(await _watch.EntriesAsync(orderId));
        Assert.Equal(OrderStatuses.Completed, (await _watch.OrderAsync(orderId)).Status);

        // After the window, the key with another body is answered with the first order's id and the body is not kept
        // (documented); the look at its new entry ends the watch at once, since the first order's window is over.
        await _watch.SubmitAsync(OrderRequests.With(b => b["customer"]!["id"] = "someone-else"), key);
        await _watch.Shop.Get<OutboxRelay>().DrainAsync();
        Assert.Contains(_watch.Shop.Logs.Records, log => log.Message.Contains($"Idempotency key of order {orderId} reused with a different body after its idempotency window", StringComparison.Ordinal));
        _watch.Clock.Advance(PastDue);
        Assert.Equal(new WatchdogRun(1, 1, 0, 0, 0, 0), await _watch.WatchAsync());
        Assert.Empty(await _watch.EntriesAsync(orderId));
        Assert.Equal(order.CustomerId, (await _watch.OrderAsync(orderId)).CustomerId);
    }

    [Fact]
    public async Task RemembersTheFirstOrdersRequestGivenItsKeyReusedWithAnotherBodyAfterItsEntryWentEarly()
    {
        // A keyed order taken before the shards: the old build deleted its entry when its watch ended, inside its window.
        var key = Guid.NewGuid().ToString();
        var body = OrderRequests.ValidJson();
        var orderId = await CompletedOrderAsync("TRACK-L", body, key);
        var order = await _watch.OrderAsync(orderId);
        var entry = Assert.Single(await _watch.EntriesAsync(orderId));
        await _watch.Index.Table.DeleteEntityAsync(entry.PartitionKey, entry.RowKey);

        // The door cannot tell the other body apart (no entry to conflict with): 202 with the order's id, the body not kept.
        Assert.Equal(orderId, await _watch.SubmitAsync(OrderRequests.With(b => b["customer"]!["id"] = "someone-else"), key));
        await _watch.Shop.Get<OutboxRelay>().DrainAsync();
        _watch.Clock.Advance(PastDue);
        Assert.Equal(new WatchdogRun(1, 1, 0, 0, 0, 0), await _watch.WatchAsync());

        // The closed entry remembers the order's own request, so from now on the door tells the two bodies apart again.
        var closed = Assert.Single(await _watch.EntriesAsync(orderId));
        Assert.True(closed.Closed);
        Assert.Equal(order.RequestHash, closed.RequestHash);
        Assert.Equal(orderId, await _watch.SubmitAsync(body, key));
        var refused = await _watch.PostAsync(OrderRequests.With(b => b["customer"]!["id"] = "someone-else"), key);
        SubmitOrderFunctionSubmitOrder.AssertProblem(refused, StatusCodes.Status422UnprocessableEntity, "urn:shop:problem:idempotency-key-reused");
        Assert.Equal(order.CustomerId, (await _watch.OrderAsync(orderId)).CustomerId);
    }

    [Fact]
    public async Task MovesAnEntryFromADueBucketToTheOrdersShardGivenAnOrderTakenBeforeTheShards()
    {
        // An order taken by the build before the shards: its entry sits in a due bucket and carries only the due time.
        var orderId = await _watch.SubmitAsync();
        await _watch.PlaceAsync(orderId);
        await _watch.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        var order = await _watch.OrderAsync(orderId);
        var shard = Assert.Single(await _watch.EntriesAsync(orderId));
        await _watch.Index.Table.DeleteEntityAsync(shard.PartitionKey, shard.RowKey);
        await BucketEntryAsync(orderId, _watch.Clock.Now + new OpenOrdersOptions().DueAfter);
        _watch.Clock.Advance(PastDue);

        Assert.Equal(new WatchdogRun(1, 0, 0, 1, 0, 0), await _watch.WatchAsync());

        // Moved to the order's shard, with the request hash that lets the front door answer a repeat of its key.
        var moved = Assert.Single(await _watch.EntriesAsync(orderId));
        Assert.Equal(OpenOrderIndex.OpenPartition(orderId), moved.PartitionKey);
        Assert.Equal(_watch.Clock.Now + Recheck, moved.DueAt);
        Assert.Equal(order.RequestHash, moved.RequestHash);
    }

    /// <summary>An entry as the build before the shards wrote it: in the due bucket of <paramref name="dueAt"/>, the due time alone.</summary>
    private Task<Azure.Response> BucketEntryAsync(string orderId, DateTimeOffset dueAt) =>
        _watch.Index.Table.AddEntityAsync(new OpenOrderRow { PartitionKey = OpenOrderIndex.DuePartition(dueAt), RowKey = orderId, DueAt = dueAt });

    /// <summary>An order awaiting shipment whose saga an operator terminated: the order open, nothing running for it.</summary>
    private async Task<string> OpenOrderWithTerminatedSagaAsync()
    {
        var orderId = await _watch.SubmitAsync();
        await _watch.PlaceAsync(orderId);
        await _watch.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await _watch.Client.TerminateInstanceAsync(orderId, "operator error");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await _watch.Client.WaitForInstanceCompletionAsync(orderId, timeout.Token)).RuntimeStatus);
        return orderId;
    }

    /// <summary>An order submitted, placed and taken through the saga to Completed (the carrier's dispatch raised by hand).</summary>
    private async Task<string> CompletedOrderAsync(string trackingNumber, string? body = null, string? idempotencyKey = null)
    {
        var orderId = await _watch.SubmitAsync(body, idempotencyKey);
        await _watch.PlaceAsync(orderId);
        await _watch.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await _watch.Client.RaiseEventAsync(orderId, Functions.Fulfillment.FulfillmentEvents.ShipmentDispatched, new Functions.Fulfillment.ShipmentDispatchedData(trackingNumber));
        await _watch.WaitForStatusAsync(orderId, OrderStatuses.Completed);
        // Its last step's sent rows wait up to 2 s for a next change that never comes; the drain ends that wait, as a look
        // 15 minutes after intake would find them gone (a look sooner keeps the entry until they are).
        await _watch.Shop.Get<Functions.Messaging.OutboxRelay>().DrainAsync();
        return orderId;
    }

    private async Task<List<NeedsAttentionRow>> AllNeedingAttentionAsync()
    {
        var all = new List<NeedsAttentionRow>();
        string? after = null;
        while (true)
        {
            var page = await _watch.Index.NeedsAttentionAsync(100, after, CancellationToken.None);
            all.AddRange(page);
            if (page.Count < 100)
            {
                return all;
            }

            after = page[^1].OrderId;
        }
    }
}
