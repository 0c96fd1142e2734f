using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Fulfillment;
using Shop.Functions.Messaging;
using Shop.Functions.Orders.Events;

namespace Shop.Functions.Orders.Watchdog;

/// <summary>What one watchdog run did with the due entries it read.</summary>
public sealed record WatchdogRun(int Due, int Closed, int Started, int Rechecked, int Flagged, int Failed);

/// <summary>
/// Repairs orders that are not terminal past their due time, found through <see cref="OpenOrderIndex"/>: an order that
/// only its entry holds gets its row first (the instance died behind the 202, <see cref="OrderStore.FindAsync"/>); a
/// terminal order's watch ends (a keyed order's entry stays closed for the idempotency window, and goes when that is
/// due); an order with no saga gets one (its PlaceOrder never arrived); a running saga is looked at
/// again later; a saga that ended while the order is not terminal (failed, terminated, purged half-way) marks the order
/// NeedsAttention and lists it for the ops endpoint. Each entry is handled on its own: one that fails stays due.
/// <para>
/// It is also the last net of the saga's outbox: outbox rows still in the order's partition past the sweep age (their
/// writer died between its transaction and its sends, or could write no pointer) are sent, and a terminal order with such
/// rows is looked at again before its entry goes.
/// </para>
/// </summary>
public sealed partial class OpenOrdersWatchdog(
    OpenOrderIndex index,
    OrderStore orders,
    OrderProgress progress,
    FulfillmentStarter starter,
    OutboxRelay relay,
    IOptions<OpenOrdersOptions> options,
    IOptions<OutboxOptions> outboxOptions,
    IOptions<OrdersOptions> ordersOptions,
    TimeProvider time,
    ILogger<OpenOrdersWatchdog> logger)
{
    /// <summary>The order's failure reason when the watchdog marks it NeedsAttention.</summary>
    public const string SagaEnded = nameof(SagaEnded);

    private enum Outcome
    {
        Closed,
        Started,
        Rechecked,
        Flagged,
        Failed,
    }

    public async Task<WatchdogRun> RunAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var due = await index.DueAsync(now, settings.MaxPerRun, cancellationToken);
        var outcomes = new List<Outcome>(due.Count);
        foreach (var entry in due)
        {
            using var scope = logger.BeginScope(new Dictionary<string, object> { ["OrderId"] = entry.OrderId });
            try
            {
                outcomes.Add(await LookAtAsync(client, entry, now, settings, cancellationToken));
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogLookFailed(ex, entry.OrderId);
                outcomes.Add(Outcome.Failed);
            }
        }

        var run = new WatchdogRun(
            due.Count,
            outcomes.Count(o => o == Outcome.Closed),
            outcomes.Count(o => o == Outcome.Started),
            outcomes.Count(o => o == Outcome.Rechecked),
            outcomes.Count(o => o == Outcome.Flagged),
            outcomes.Count(o => o == Outcome.Failed));
        if (run.Due > 0)
        {
            LogRun(run.Due, run.Closed, run.Started, run.Rechecked, run.Flagged, run.Failed);
        }

        return run;
    }

    private async Task<Outcome> LookAtAsync(DurableTaskClient client, OpenOrderRow entry, DateTimeOffset now, OpenOrdersOptions settings, CancellationToken cancellationToken)
    {
        // A closed entry whose idempotency window has ended: the order's key is forgotten, nothing else changes.
        if (entry.Closed)
        {
            await index.UntrackAsync(entry, cancellationToken);
            return Outcome.Closed;
        }

        // No order, neither a row nor one the entry holds (which FindAsync writes out as the row): the entry of an intake
        // whose order insert failed, from before the entry held the order. Nothing to watch.
        var order = await orders.FindAsync(entry.OrderId, cancellationToken);
        if (order is null)
        {
            await index.UntrackAsync(entry, cancellationToken);
            return Outcome.Closed;
        }

        // The row is the truth: an entry from before the shards has neither, and one written by a key reused after its
        // window holds the rejected body's hash. The moved, slimmed or closed entry carries the order's from here on.
        entry.RequestHash = order.RequestHash;
        entry.CreatedAt = order.CreatedAt;

        // One query of the order's partition: normally empty. Rows younger than the sweep age are still their writer's to send.
        var leftovers = await orders.OutboxRowsAsync(entry.OrderId, cancellationToken);
        var stale = leftovers.Where(row => row.CreatedAt <= now - outboxOptions.Value.SweepAge).ToList();
        if (stale.Count > 0)
        {
            LogLeftovers(entry.OrderId, stale.Count);
            await relay.RelayCommittedAsync(orders.Table, stale, cancellationToken);
        }

        if (OrderStatuses.IsTerminal(order.Status))
        {
            if (leftovers.Count > 0)
            {
                // Its entry goes only once a look finds the partition empty.
                await index.RescheduleAsync(entry, now + settings.RecheckInterval, cancellationToken);
                return Outcome.Rechecked;
            }

            await CloseAsync(entry, order, now, cancellationToken);
            return Outcome.Closed;
        }

        var instance = await client.GetInstanceAsync(entry.OrderId, cancellationToken);
        if (instance is null)
        {
            LogNoSaga(entry.OrderId, order.Status);
            await starter.EnsureStartedAsync(client, entry.OrderId, cancellationToken);
            await index.RescheduleAsync(entry, now + settings.RecheckInterval, cancellationToken);
            return Outcome.Started;
        }

        if (instance.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended)
        {
            await index.RescheduleAsync(entry, now + settings.RecheckInterval, cancellationToken);
            return Outcome.Rechecked;
        }

        // The saga ended. Its last write comes before its end, so the order read above may just be older than that write:
        // RecordAsync reads it again and changes nothing if it is terminal by now.
        var reason = $"The saga ended {instance.RuntimeStatus} while the order was {order.Status}.";
        // Its pointer first: the entry goes right after this write, so no later look would find rows it left.
        var change = new OrderChange(OrderEventTypes.OrderNeedsAttention, OrderStatuses.NeedsAttention) { FailureReason = SagaEnded, IndexBeforeWrite = true };
        var result = await progress.RecordAsync(entry.OrderId, change, cancellationToken);
        if (result.Order.Status != OrderStatuses.NeedsAttention)
        {
            // It ended by a write after this look's query of its partition, which may have left rows there (its writer died
            // before sending them): the entry goes only once a look finds the partition empty, as for any terminal order.
            await index.RescheduleAsync(entry, now + settings.RecheckInterval, cancellationToken);
            return Outcome.Rechecked;
        }

        await index.FlagNeedsAttentionAsync(entry.OrderId, reason, now, cancellationToken);
        await CloseAsync(entry, order, now, cancellationToken);
        LogFlagged(entry.OrderId, instance.RuntimeStatus, order.Status);
        return Outcome.Flagged;
    }

    /// <summary>The watch ends: a keyed order's entry stays, closed, for what is left of its idempotency window.</summary>
    private Task CloseAsync(OpenOrderRow entry, OrderRow order, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var keptUntil = order.CreatedAt + ordersOptions.Value.IdempotencyWindow;
        return index.CloseAsync(entry, order.IdempotencyKey is not null && keptUntil > now ? keptUntil : null, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} is {Status} past its due time with no saga; starting it")]
    private partial void LogNoSaga(string orderId, string status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Order {OrderId}: its saga ended {RuntimeStatus} while the order was {Status}; marked NeedsAttention")]
    private partial void LogFlagged(string orderId, OrchestrationRuntimeStatus runtimeStatus, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: {Count} outbox rows were left unsent in its partition; sending them")]
    private partial void LogLeftovers(string orderId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watchdog could not look at order {OrderId}; it stays due for the next run")]
    private partial void LogLookFailed(Exception exception, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watchdog: {Due} due, {Closed} closed, {Started} started, {Rechecked} rechecked later, {Flagged} flagged, {Failed} failed")]
    private partial void LogRun(int due, int closed, int started, int rechecked, int flagged, int failed);
}
