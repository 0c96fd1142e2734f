using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Retention;

namespace Shop.Functions.Fulfillment;

/// <summary>
/// One change of an order: the event it emits, the status it leads to (null: unchanged, as for compensations),
/// and what else changes with it.
/// </summary>
public sealed record OrderChange(string EventType, string? Status = null)
{
    public string? FailureReason { get; init; }

    /// <summary>What the step history says of this change beyond its name (defaults to <see cref="FailureReason"/>).</summary>
    public string? StepDetail { get; init; }

    /// <summary>Column changes beyond status and step (the charge id, the tracking number).</summary>
    public Action<OrderRow>? Update { get; init; }

    /// <summary>What the event says beyond the order id, sequence and status.</summary>
    public Func<OrderEventData, OrderRow, OrderEventData>? Describe { get; init; }

    /// <summary>Commands that go out with the event, in the same transaction (RequestShipment's ShipOrder).</summary>
    public Func<OrderRow, IReadOnlyList<OutgoingMessage>>? Commands { get; init; }

    /// <summary>
    /// Sequence numbers set aside after this change's event for an event that someone else publishes later (the
    /// carrier's ShipmentDispatched): <see cref="Commands"/> see the order with them taken, so the last reserved number is
    /// <see cref="OrderRow.Sequence"/>, and the order's next own event comes after them.
    /// </summary>
    public int ReservedSequences { get; init; }

    /// <summary>
    /// A change clients see on the order (status, step) that publishes no event and takes no sequence number: the saga's
    /// own bookkeeping, such as a compensation that is owed and being retried.
    /// </summary>
    public bool Unpublished { get; init; }

    /// <summary>
    /// Writes the outbox pointer before the transaction, for a writer whose change no later look of the open-orders
    /// watchdog covers (the watchdog's own NeedsAttention, after which it drops the order's entry). Without it, a pointer
    /// is written only when a send fails (docs/messaging.md, "Saga steps: the pointer only when a send fails").
    /// </summary>
    public bool IndexBeforeWrite { get; init; }
}

/// <summary>The order after a change, and whether this call made it (false: it had been made before).</summary>
public sealed record OrderChangeResult(OrderRow Order, bool Applied);

/// <summary>
/// Records the saga's progress on the order row: status, step history, sequence + 1, and the step's event
/// (plus any command) in the outbox, in ONE transaction guarded by the row's ETag; the rows are sent right after it, and
/// only those whose send fails get a pointer in the outbox index. A step run again after a crash between its transaction and
/// its sends relays what it left, and the open-orders watchdog relays whatever is still left when the order falls due. Each
/// event type is recorded once per order, so an activity that runs twice has its effect once; a terminal order never changes.
/// The terminal write also removes the payment token (nothing charges a terminal order), and is preceded by the order's
/// entry in <see cref="FinishedOrderIndex"/>, through which retention later finds its bookkeeping rows.
/// </summary>
public sealed partial class OrderProgress(OrderStore store, OutboxRelay relay, OutboxIndex outboxIndex, FinishedOrderIndex finished, TimeProvider time, ILogger<OrderProgress> logger)
{
    private const int MaxConcurrencyRetries = 5;

    public Task<OrderChangeResult> RecordAsync(string orderId, OrderChange change, CancellationToken cancellationToken) =>
        RecordAsync(orderId, change, null, cancellationToken);

    /// <summary>
    /// As <see cref="RecordAsync(string, OrderChange, CancellationToken)"/>, starting from <paramref name="known"/>, the row
    /// as the caller read it in the same step, instead of reading it again (issue 14). The write is guarded by its ETag, so
    /// a row changed since is read again and decided on.
    /// </summary>
    public async Task<OrderChangeResult> RecordAsync(string orderId, OrderChange change, OrderRow? known, CancellationToken cancellationToken)
    {
        // The previous step's sent outbox rows, if this process sent them a moment ago: deleted in this step's transaction.
        var sentBefore = relay.TakeSent(store.Table, orderId);
        try
        {
            return await RecordAsync(orderId, change, known, sentBefore, cancellationToken);
        }
        catch
        {
            relay.DeleteSentLater(store.Table, sentBefore);
            throw;
        }
    }

    private async Task<OrderChangeResult> RecordAsync(
        string orderId, OrderChange change, OrderRow? known, IReadOnlyList<OutboxRow> sentBefore, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var order = attempt == 1 && known is not null ? known : await store.FindAsync(orderId, cancellationToken)
                ?? throw new InvalidOperationException($"Order {orderId} does not exist.");
            if (order.HasStep(change.EventType) || OrderStatuses.IsTerminal(order.Status))
            {
                LogAlreadyRecorded(orderId, change.EventType, order.Status);
                relay.DeleteSentLater(store.Table, sentBefore);
                if (order.HasStep(change.EventType))
                {
                    // This step again: its first run may have died between its transaction and its sends.
                    await RelayLeftoversAsync(orderId, sentBefore, cancellationToken);
                }

                return new OrderChangeResult(order, Applied: false);
            }

            var now = time.GetUtcNow();
            var outbox = Apply(order, change, now);
            if (OrderStatuses.IsTerminal(order.Status))
            {
                // Before the write, so no finished order is missing from the index (one whose write then fails is skipped
                // by retention, which finds it open). The token goes with the write: the charge is settled by now (captured
                // and the order over, or declined), and a charge that is still being retried belongs to an open order.
                await finished.TrackAsync(orderId, now, cancellationToken);
                order.PaymentToken = string.Empty;
            }

            // Only for a writer no watchdog look covers: before the transaction, so that its rows are never committed without
            // the sweeper knowing (a pointer whose transaction then fails points at nothing, and the sweeper drops it).
            var pointer = change.IndexBeforeWrite && outbox.Count > 0 ? OutboxPointer.For(store.Table.Name, outbox) : null;
            if (pointer is not null)
            {
                await outboxIndex.PointAsync(pointer, cancellationToken);
            }

            try
            {
                await store.Table.SubmitTransactionAsync(
                    [
                        new TableTransactionAction(TableTransactionActionType.UpdateReplace, order, order.ETag),
                        .. outbox.Select(row => new TableTransactionAction(TableTransactionActionType.Add, row)),
                        .. sentBefore.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All)),
                    ],
                    cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412 && attempt < MaxConcurrencyRetries)
            {
                // Someone else changed the order between our read and write: read again and decide again.
                continue;
            }
            catch (TableTransactionFailedException ex) when (ex.FailedTransactionActionIndex > outbox.Count && attempt < MaxConcurrencyRetries)
            {
                // A delete of a sent row failed (404: another relay deleted it first, the step run again or the watchdog):
                // the change goes again alone, and the rows are left to the background delete, which takes a 404 as done.
                relay.DeleteSentLater(store.Table, sentBefore);
                sentBefore = [];
                continue;
            }

            LogRecorded(orderId, change.EventType, order.Sequence, order.Status);
            ShopMetrics.OrderChanged(change.EventType, order.Status, order.FailureReason);
            if (pointer is not null)
            {
                await relay.RelayAsync(store.Table, outbox, pointer, cancellationToken);
            }
            else if (outbox.Count > 0)
            {
                await relay.RelayCommittedAsync(store.Table, outbox, cancellationToken);
            }

            return new OrderChangeResult(order, Applied: true);
        }
    }

    /// <summary>
    /// Sends and deletes the outbox rows the order's partition still holds (1 query; only when a step runs again), except
    /// those this process sent already and is about to delete.
    /// </summary>
    private async Task RelayLeftoversAsync(string orderId, IReadOnlyList<OutboxRow> sent, CancellationToken cancellationToken)
    {
        var leftovers = (await store.OutboxRowsAsync(orderId, cancellationToken))
            .Where(row => !sent.Any(s => s.RowKey == row.RowKey))
            .ToList();
        if (leftovers.Count > 0)
        {
            LogRelayingLeftovers(orderId, leftovers.Count);
            await relay.RelayCommittedAsync(store.Table, leftovers, cancellationToken);
        }
    }

    private static List<OutboxRow> Apply(OrderRow order, OrderChange change, DateTimeOffset now)
    {
        var steps = order.GetSteps();
        steps.Add(new OrderStep(change.EventType, now, change.StepDetail ?? change.FailureReason));
        order.Steps = JsonSerializer.Serialize(steps, ShopJsonContext.Default.ListOrderStep);
        order.Status = change.Status ?? order.Status;
        order.Step = change.EventType;
        order.UpdatedAt = now;
        order.FailureReason = change.FailureReason ?? order.FailureReason;
        change.Update?.Invoke(order);
        if (change.Unpublished)
        {
            return [];
        }

        order.Sequence++;

        // The consumers' needs travel with the event (issue 14): the e-mail and webhook consumers no longer read the row.
        var data = new OrderEventData(order.OrderId, order.Sequence, order.Status, change.FailureReason, Contact: order.GetContact());
        data = change.Describe?.Invoke(data, order) ?? data;
        var message = OrderEvent.For(change.EventType, now, data).ToMessage();

        if (change.ReservedSequences > 0)
        {
            order.Sequence += change.ReservedSequences;
            order.ReservedSequence = order.Sequence;
        }

        IReadOnlyList<OutgoingMessage> messages = [message, .. change.Commands?.Invoke(order) ?? []];
        return messages.Select(m => OutboxRow.For(order.OrderId, m, now)).ToList();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {EventType} recorded as sequence {Sequence}, status {Status}")]
    private partial void LogRecorded(string orderId, string eventType, long sequence, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: {Count} outbox rows of an earlier run are still in its partition; sending them")]
    private partial void LogRelayingLeftovers(string orderId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {EventType} was recorded before or the order is final ({Status}); nothing to do")]
    private partial void LogAlreadyRecorded(string orderId, string eventType, string status);
}
