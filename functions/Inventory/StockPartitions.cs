using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging;
using Shop.Functions.Platform;

namespace Shop.Functions.Inventory;

/// <summary>
/// The atomic operations on one SKU's partition. Each is one Table transaction over the stock row and one reservation
/// row, conditional on what was read: the stock row's ETag, and the reservation row's ETag (or its absence). A writer
/// that read rows someone else changed since gets 412 (or 409 when the reservation row appeared), reads again and
/// retries, up to <see cref="MaxAttempts"/> times with jittered back-off. Stock can therefore never go below zero.
/// </summary>
/// <summary>What a reservation of one line came to.</summary>
internal enum LineOutcome
{
    Reserved,
    Short,
    Waiting,
}

internal sealed partial class StockPartitions(TableClient table, OutboxIndex outboxIndex, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// Each failed attempt means another writer committed to the same stock row in between (so 40 orders racing for 25
    /// units lose at most 25 times). This many in a row means the SKU is too hot: give up, transiently.
    /// </summary>
    internal const int MaxAttempts = 30;


    /// <summary>
    /// <see cref="LineOutcome.Reserved"/> when the order holds <paramref name="quantity"/> of the SKU (reserved now, or before);
    /// <see cref="LineOutcome.Short"/> when the stock is short, or <see cref="LineOutcome.Waiting"/> instead when
    /// <paramref name="wait"/>: the order joins the SKU's waiting list (or stays on it), holding nothing. Units that waiting
    /// orders need (<see cref="StockRow.WaitingQuantity"/>) are taken by them only, oldest first: an order not on the list
    /// takes from <see cref="StockRow.Free"/>, a waiting one from what the waiters ahead of it leave.
    /// A change that leaves the free stock below its reorder point, with no reorder open, opens one in the same transaction:
    /// the marker on the stock row and the ReorderStock command's outbox row (<paramref name="Reorder"/>, for the caller to relay).
    /// </summary>
    public async Task<(LineOutcome Outcome, OutboxRow? Reorder, OutboxPointer? Pointer)> TryReserveAsync(
        string sku, string orderId, int quantity, bool wait, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The first attempt reads the stock row only: the reservation row's insert, in the same transaction, is the check
            // that the order holds none yet (409 otherwise, and nothing is taken). A retry reads both and decides as before.
            var (stock, reservation) = attempt == 1 ? (await FindStockAsync(sku, cancellationToken), null) : await ReadAsync(sku, orderId, cancellationToken);
            if (reservation is { Status: ReservationStatuses.Reserved })
            {
                LogAlreadyReserved(orderId, sku);
                return (LineOutcome.Reserved, null, null);
            }

            if (reservation is { Status: ReservationStatuses.Released })
            {
                // The order gave its stock back (it was compensated): this is a late duplicate of a reservation, and
                // taking the units again would leak them. Released is final.
                LogReleasedBefore(orderId, sku);
                return (LineOutcome.Short, null, null);
            }

            var now = time.GetUtcNow();
            List<TableTransactionAction> actions;
            LineOutcome outcome;
            if (reservation is { Status: ReservationStatuses.Waiting })
            {
                var ahead = stock is null ? 0 : await WaitingAheadAsync(sku, reservation.WaitingRowKey!, cancellationToken);
                if (stock is null || stock.Available - ahead < reservation.Quantity)
                {
                    LogStillWaiting(orderId, sku, reservation.Quantity, stock?.Available, ahead);
                    return (LineOutcome.Waiting, null, null);
                }

                // Its turn: the units leave the stock and the waiting list with it.
                stock.Available -= reservation.Quantity;
                stock.WaitingQuantity = Math.Max(0, stock.WaitingQuantity - reservation.Quantity);
                stock.UpdatedAt = now;
                var waitingRow = new WaitingRow { PartitionKey = sku, RowKey = reservation.WaitingRowKey!, ETag = ETag.All };
                reservation.Status = ReservationStatuses.Reserved;
                reservation.ReservedAt = now;
                reservation.WaitingRowKey = null;
                actions =
                [
                    new(TableTransactionActionType.UpdateMerge, stock, stock.ETag),
                    new(TableTransactionActionType.UpdateReplace, reservation, reservation.ETag),
                    new(TableTransactionActionType.Delete, waitingRow, ETag.All),
                ];
                outcome = LineOutcome.Reserved;
            }
            else if (stock is null || stock.Free() < quantity)
            {
                // The two reads ran concurrently. Read the reservation again, after the stock read: if a duplicate call
                // for this same order took the stock (or joined the list) meanwhile, that stands.
                if (await FindReservationAsync(sku, orderId, cancellationToken) is { } again)
                {
                    if (again.Status != ReservationStatuses.Released)
                    {
                        continue;
                    }
                }

                if (stock is null)
                {
                    // No stock row: nothing will ever be replenished, so nobody waits for it.
                    await ThrowIfTableMissingAsync(sku, cancellationToken);
                    LogShort(orderId, sku, quantity, null);
                    return (LineOutcome.Short, null, null);
                }

                LogShort(orderId, sku, quantity, stock.Free());
                if (!wait)
                {
                    return (LineOutcome.Short, null, null);
                }

                stock.WaitingCount++;
                stock.WaitingQuantity = checked(stock.WaitingQuantity + quantity);
                stock.UpdatedAt = now;
                var waiting = ReservationRow.Reserve(sku, orderId, quantity, now);
                waiting.Status = ReservationStatuses.Waiting;
                waiting.WaitingRowKey = InventoryKeys.WaitingRowKey(stock.WaitingCount);
                var waitingRow = new WaitingRow { PartitionKey = sku, RowKey = waiting.WaitingRowKey, OrderId = orderId, Quantity = quantity, Since = now };
                actions =
                [
                    new(TableTransactionActionType.UpdateMerge, stock, stock.ETag),
                    new(TableTransactionActionType.Add, waiting),
                    new(TableTransactionActionType.Add, waitingRow),
                ];
                outcome = LineOutcome.Waiting;
            }
            else
            {
                stock.Available -= quantity;
                stock.UpdatedAt = now;
                var reserved = ReservationRow.Reserve(sku, orderId, quantity, now);
                actions = [new(TableTransactionActionType.UpdateMerge, stock, stock.ETag), new(TableTransactionActionType.Add, reserved)];
                outcome = LineOutcome.Reserved;
            }

            var reorder = ReorderPolicy.OpenIfDue(stock, now);
            OutboxPointer? pointer = null;
            if (reorder is not null)
            {
                actions.Add(new(TableTransactionActionType.Add, reorder));

                // Before the transaction, as for every outbox row: the sweeper finds it through the pointer.
                pointer = OutboxPointer.For(table.Name, [reorder]);
                await outboxIndex.PointAsync(pointer, cancellationToken);
            }

            if (await TrySubmitAsync(actions, sku, cancellationToken))
            {
                if (outcome == LineOutcome.Reserved)
                {
                    LogReserved(orderId, sku, quantity, stock.Available);
                }
                else
                {
                    LogWaiting(orderId, sku, quantity, stock.WaitingCount);
                }

                if (reorder is not null)
                {
                    LogReorderOpened(sku, stock.OpenReorderId!, stock.Available);
                }

                return (outcome, reorder, pointer);
            }

            await BackOffAsync(sku, attempt, cancellationToken);
        }
    }

    /// <summary>The SKU's waiting orders, oldest first.</summary>
    public async Task<IReadOnlyList<StockWaiter>> GetWaitersAsync(string sku, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {sku} and RowKey ge {InventoryKeys.WaitingRowKeyPrefix} and RowKey lt {InventoryKeys.WaitingRowKeyEnd}");
        var waiters = new List<StockWaiter>();
        await foreach (var row in table.QueryAsync<WaitingRow>(filter, cancellationToken: cancellationToken))
        {
            waiters.Add(new StockWaiter(row.OrderId, row.Quantity, row.Since));
        }

        return waiters;
    }

    /// <summary>
    /// Units the waiters ahead of <paramref name="waitingRowKey"/> need. Read after the stock row and outside the transaction,
    /// yet exact when the transaction commits: every change of the waiting list (join, leave, serve) changes the stock row
    /// too, so a list changed since the stock row was read fails the transaction on the stock row's ETag.
    /// </summary>
    private async Task<int> WaitingAheadAsync(string sku, string waitingRowKey, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {sku} and RowKey ge {InventoryKeys.WaitingRowKeyPrefix} and RowKey lt {waitingRowKey}");
        var ahead = 0;
        await foreach (var row in table.QueryAsync<WaitingRow>(filter, select: [nameof(WaitingRow.Quantity)], cancellationToken: cancellationToken))
        {
            ahead += row.Quantity;
        }

        return ahead;
    }

    /// <summary>
    /// Gives back what the order holds of the SKU; false when it holds nothing (never reserved, or released already). Either
    /// way the order's reservation of the SKU ends Released (a never-reserved line gets a Released row of quantity 0), so a
    /// reservation of it that arrives later, a late duplicate, takes nothing.
    /// </summary>
    public async Task<bool> ReleaseAsync(string sku, string orderId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (stock, reservation) = await ReadAsync(sku, orderId, cancellationToken);
            if (reservation is { Status: ReservationStatuses.Released })
            {
                return false;
            }

            if (reservation is null)
            {
                var tombstone = ReservationRow.Reserve(sku, orderId, quantity: 0, time.GetUtcNow());
                tombstone.Status = ReservationStatuses.Released;
                tombstone.ReleasedAt = tombstone.ReservedAt;
                if (await TrySubmitAsync([new(TableTransactionActionType.Add, tombstone)], sku, cancellationToken))
                {
                    return false;
                }

                // A reservation for the order appeared meanwhile: read again and release it.
                await BackOffAsync(sku, attempt, cancellationToken);
                continue;
            }

            var now = time.GetUtcNow();
            if (reservation.Status == ReservationStatuses.Waiting)
            {
                // A backorder that gives up: off the waiting list, holding nothing, and what it waited for is free again.
                var waitingRow = new WaitingRow { PartitionKey = sku, RowKey = reservation.WaitingRowKey!, ETag = ETag.All };
                var wanted = reservation.Quantity;
                reservation.Status = ReservationStatuses.Released;
                reservation.ReleasedAt = now;
                reservation.Quantity = 0;
                reservation.WaitingRowKey = null;
                List<TableTransactionAction> leave = [new(TableTransactionActionType.UpdateReplace, reservation, reservation.ETag), new(TableTransactionActionType.Delete, waitingRow, ETag.All)];
                if (stock is not null)
                {
                    stock.WaitingQuantity = Math.Max(0, stock.WaitingQuantity - wanted);
                    stock.UpdatedAt = now;
                    leave.Add(new(TableTransactionActionType.UpdateMerge, stock, stock.ETag));
                }

                if (await TrySubmitAsync(leave, sku, cancellationToken))
                {
                    LogLeftWaitingList(orderId, sku, wanted);
                    return false;
                }

                await BackOffAsync(sku, attempt, cancellationToken);
                continue;
            }

            reservation.Status = ReservationStatuses.Released;
            reservation.ReleasedAt = now;
            List<TableTransactionAction> actions = [new(TableTransactionActionType.UpdateReplace, reservation, reservation.ETag)];
            if (stock is null)
            {
                LogStockRowMissing(orderId, sku, reservation.Quantity);
            }
            else
            {
                stock.Available += reservation.Quantity;
                stock.UpdatedAt = now;
                actions.Add(new(TableTransactionActionType.UpdateMerge, stock, stock.ETag));
            }

            if (await TrySubmitAsync(actions, sku, cancellationToken))
            {
                LogReleased(orderId, sku, reservation.Quantity);
                return true;
            }

            await BackOffAsync(sku, attempt, cancellationToken);
        }
    }

    /// <summary>
    /// Adds the receipt's units to the SKU's stock and writes the receipt row, in one transaction guarded by the stock row's
    /// ETag and the receipt row's absence. When the receipt row exists already, nothing changes and the stored receipt is
    /// answered (<c>Added</c> false): a receipt counts once, whoever sends it twice. With <paramref name="createStockRow"/>,
    /// a SKU without a stock row gets one. Null when the SKU has no stock row and none may be created.
    /// </summary>
    public async Task<(bool Added, StockReceiptRow Receipt, OutboxRow? Reorder, OutboxPointer? Pointer)?> AddUnitsAsync(
        string sku, StockReceiptRow receipt, bool createStockRow, CancellationToken cancellationToken, string? closesReorderId = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stockRead = table.GetEntityIfExistsAsync<StockRow>(sku, InventoryKeys.StockRowKey, cancellationToken: cancellationToken);
            var receiptRead = table.GetEntityIfExistsAsync<StockReceiptRow>(sku, receipt.RowKey, cancellationToken: cancellationToken);
            await Task.WhenAll(stockRead, receiptRead);
            var existing = await receiptRead;
            if (existing.HasValue)
            {
                LogReceiptSeen(sku, receipt.ReceiptId);
                return (false, existing.Value!, null, null);
            }

            var found = await stockRead;
            var stock = found.HasValue ? found.Value! : null;
            if (stock is null && !createStockRow)
            {
                await ThrowIfTableMissingAsync(sku, cancellationToken);
                return null;
            }

            var now = time.GetUtcNow();
            TableTransactionAction stockWrite;
            OutboxRow? reorder = null;
            if (stock is null)
            {
                stock = new StockRow { PartitionKey = sku, Available = receipt.Quantity, UpdatedAt = now };
                stockWrite = new(TableTransactionActionType.Add, stock);
            }
            else
            {
                stock.Available = checked(stock.Available + receipt.Quantity);
                stock.UpdatedAt = now;
                if (closesReorderId is not null && stock.OpenReorderId == closesReorderId)
                {
                    // The replenishment closes the open reorder: the next shortfall may open another. Replace, because a
                    // merge would leave the property that a null omits.
                    stock.OpenReorderId = null;

                    // Orders that joined the waiting list while it was open may still want more than there is now.
                    reorder = ReorderPolicy.OpenIfDue(stock, now);
                }

                stockWrite = new(TableTransactionActionType.UpdateReplace, stock, stock.ETag);
            }

            receipt.PartitionKey = sku;
            receipt.ReceivedAt = now;
            receipt.AvailableAfter = stock.Available;
            List<TableTransactionAction> actions = [stockWrite, new(TableTransactionActionType.Add, receipt)];
            OutboxPointer? pointer = null;
            if (reorder is not null)
            {
                actions.Add(new(TableTransactionActionType.Add, reorder));
                pointer = OutboxPointer.For(table.Name, [reorder]);
                await outboxIndex.PointAsync(pointer, cancellationToken);
            }

            if (await TrySubmitAsync(actions, sku, cancellationToken))
            {
                LogUnitsAdded(sku, receipt.Quantity, receipt.ReceiptId, stock.Available);
                if (reorder is not null)
                {
                    LogReorderOpened(sku, stock.OpenReorderId!, stock.Available);
                }

                return (true, receipt, reorder, pointer);
            }

            await BackOffAsync(sku, attempt, cancellationToken);
        }
    }

    private async Task<StockRow?> FindStockAsync(string sku, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<StockRow>(sku, InventoryKeys.StockRowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    public async Task<ReservationRow?> FindReservationAsync(string sku, string orderId, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<ReservationRow>(sku, InventoryKeys.ReservationRowKey(orderId), cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>
    /// Two point reads at once: one round trip of latency, constant cost. (One query for both rows,
    /// <c>RowKey eq 'stock' or RowKey eq '...'</c>, would be a scan of the partition, which grows by a row per order.)
    /// </summary>
    private async Task<(StockRow? Stock, ReservationRow? Reservation)> ReadAsync(string sku, string orderId, CancellationToken cancellationToken)
    {
        var stock = table.GetEntityIfExistsAsync<StockRow>(sku, InventoryKeys.StockRowKey, cancellationToken: cancellationToken);
        var reservation = FindReservationAsync(sku, orderId, cancellationToken);
        await Task.WhenAll(stock, reservation);
        var stockResponse = await stock;
        return (stockResponse.HasValue ? stockResponse.Value : null, await reservation);
    }

    /// <summary>
    /// A point read answers "no row" for a missing table too. Before an order fails as out of stock, make sure it is the
    /// SKU that is unknown, not the table that was never created (that is an outage: <see cref="RequestFailedException"/>).
    /// </summary>
    private async Task ThrowIfTableMissingAsync(string sku, CancellationToken cancellationToken)
    {
        try
        {
            await table.GetEntityAsync<StockRow>(sku, InventoryKeys.StockRowKey, [nameof(StockRow.Available)], cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == TableErrorCode.ResourceNotFound)
        {
            // The table is there; the SKU has no stock row.
        }
    }

    private Task<bool> TrySubmitAsync(IReadOnlyList<TableTransactionAction> actions, string sku, CancellationToken cancellationToken) =>
        OptimisticConcurrency.TrySubmitAsync(table, actions, errorCode => LogConflict(sku, errorCode), cancellationToken);

    private async Task BackOffAsync(string sku, int attempt, CancellationToken cancellationToken)
    {
        if (attempt >= MaxAttempts)
        {
            LogGaveUp(sku, attempt);
            throw new InventoryConflictException($"The stock of {sku} changed under each of {attempt} attempts to update it.");
        }

        await OptimisticConcurrency.BackOffAsync(attempt, time, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reserved {Quantity} of {Sku} for order {OrderId}; {Available} left")]
    private partial void LogReserved(string orderId, string sku, int quantity, int available);

    [LoggerMessage(Level = LogLevel.Information, Message = "The stock of {Sku} fell to {Available}, below its reorder point: reorder {ReorderId} opened")]
    private partial void LogReorderOpened(string sku, string reorderId, int available);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Order {OrderId} already holds a reservation of {Sku}")]
    private partial void LogAlreadyReserved(string orderId, string sku);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} released its {Sku} before; a late reservation takes nothing")]
    private partial void LogReleasedBefore(string orderId, string sku);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} wants {Quantity} of {Sku}; available: {Available}")]
    private partial void LogShort(string orderId, string sku, int quantity, int? available);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} waits for {Quantity} of {Sku} (waiting list position {Position})")]
    private partial void LogWaiting(string orderId, string sku, int quantity, long position);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Order {OrderId} still waits for {Quantity} of {Sku}: {Available} available, {Ahead} wanted by waiters ahead")]
    private partial void LogStillWaiting(string orderId, string sku, int quantity, int? available, int ahead);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} left the waiting list of {Sku} ({Quantity} wanted)")]
    private partial void LogLeftWaitingList(string orderId, string sku, int quantity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Quantity} of {Sku} held by order {OrderId}")]
    private partial void LogReleased(string orderId, string sku, int quantity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} held {Quantity} of {Sku}, which has no stock row any more; the reservation is released, the units go nowhere")]
    private partial void LogStockRowMissing(string orderId, string sku, int quantity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Added {Quantity} of {Sku} (receipt {ReceiptId}); {Available} available")]
    private partial void LogUnitsAdded(string sku, int quantity, string receiptId, int available);

    [LoggerMessage(Level = LogLevel.Information, Message = "Receipt {ReceiptId} of {Sku} was counted before; nothing added")]
    private partial void LogReceiptSeen(string sku, string receiptId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The stock of {Sku} changed concurrently ({ErrorCode}); reading it again")]
    private partial void LogConflict(string sku, string? errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up updating the stock of {Sku} after {Attempts} conflicting attempts")]
    private partial void LogGaveUp(string sku, int attempts);
}
