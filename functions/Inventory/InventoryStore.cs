using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Shop.Functions.Catalog;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Platform;

namespace Shop.Functions.Inventory;

/// <summary>
/// Stock and reservations (docs/architecture.md, "Storage": Inventory). An order is reserved line by line, each line in one
/// transaction with its SKU's stock row (<see cref="StockPartitions"/>), and whole or not at all: when a line is out of
/// stock, the lines reserved before it are released. Every operation is idempotent per order.
/// </summary>
public sealed partial class InventoryStore
{
    private const int SeedParallelism = 8;

    private readonly StockPartitions _partitions;
    private readonly TimeProvider _time;
    private readonly ILogger<InventoryStore> _logger;

    private readonly OutboxRelay _relay;

    public InventoryStore(TableServiceClient tables, OutboxRelay relay, OutboxIndex outboxIndex, TimeProvider time, ILogger<InventoryStore> logger)
    {
        Table = tables.GetTableClient(StorageTables.Inventory);
        _partitions = new StockPartitions(Table, outboxIndex, time, logger);
        _relay = relay;
        _time = time;
        _logger = logger;
    }

    public TableClient Table { get; }

    /// <summary>
    /// Reserves every line of the order, or none. Reserving an order again is a no-op that answers
    /// <see cref="ReservationResult.AllReserved"/>. Throws on a storage failure or <see cref="InventoryConflictException"/>;
    /// lines reserved by then stay reserved (calling again completes the order, <see cref="ReleaseAsync"/> undoes it).
    /// </summary>
    public async Task<ReservationResult> ReserveAsync(string orderId, IReadOnlyList<OrderLine> lines, CancellationToken cancellationToken)
    {
        InventoryKeys.ThrowIfInvalidOrderId(orderId);
        var stockLines = StockLine.From(lines);
        if (stockLines.Any(line => line.Quantity < 1))
        {
            throw new ArgumentException("Every line needs a quantity of at least 1.", nameof(lines));
        }

        for (var i = 0; i < stockLines.Count; i++)
        {
            var line = stockLines[i];
            if (await ReserveLineAsync(orderId, line, wait: false, cancellationToken) != LineOutcome.Reserved)
            {
                await ReleaseLinesAsync(orderId, stockLines.Take(i), cancellationToken);
                LogOutOfStock(orderId, line.Sku);
                return ReservationResult.OutOfStock(line.Sku);
            }
        }

        return ReservationResult.AllReserved;
    }

    /// <summary>
    /// A backorder's reservation (docs/inventory.md, "Backorders"): reserves every line it can and keeps it; a line short of
    /// stock puts the order on its SKU's waiting list instead (or keeps it there, or serves it when its turn has come). The
    /// answer is <see cref="ReservationResult.AllReserved"/>, <see cref="ReservationResult.Waiting"/> with the SKUs still
    /// waited for, or out of stock for a SKU that has no stock at all (then nothing stays reserved or waiting). Idempotent;
    /// <see cref="ReleaseAsync"/> gives back what is held and takes the order off every waiting list.
    /// </summary>
    public async Task<ReservationResult> ReserveOrWaitAsync(string orderId, IReadOnlyList<OrderLine> lines, CancellationToken cancellationToken)
    {
        InventoryKeys.ThrowIfInvalidOrderId(orderId);
        var stockLines = StockLine.From(lines);
        if (stockLines.Any(line => line.Quantity < 1))
        {
            throw new ArgumentException("Every line needs a quantity of at least 1.", nameof(lines));
        }

        var waiting = new List<string>();
        for (var i = 0; i < stockLines.Count; i++)
        {
            var line = stockLines[i];
            switch (await ReserveLineAsync(orderId, line, wait: true, cancellationToken))
            {
                case LineOutcome.Waiting:
                    waiting.Add(line.Partition!);
                    break;
                case LineOutcome.Short:
                    await ReleaseLinesAsync(orderId, stockLines.Take(i), cancellationToken);
                    LogOutOfStock(orderId, line.Sku);
                    return ReservationResult.OutOfStock(line.Sku);
            }
        }

        return waiting.Count == 0 ? ReservationResult.AllReserved : ReservationResult.Waiting(waiting);
    }

    /// <summary>The orders waiting for the SKU, oldest first (empty for a SKU the shop does not accept).</summary>
    public Task<IReadOnlyList<StockWaiter>> GetWaitersAsync(string sku, CancellationToken cancellationToken) =>
        InventoryKeys.PartitionFor(sku) is { } partition ? _partitions.GetWaitersAsync(partition, cancellationToken) : Task.FromResult<IReadOnlyList<StockWaiter>>([]);

    private async Task<LineOutcome> ReserveLineAsync(string orderId, StockLine line, bool wait, CancellationToken cancellationToken)
    {
        if (line.Partition is null)
        {
            return LineOutcome.Short;
        }

        var (outcome, reorder, pointer) = await _partitions.TryReserveAsync(line.Partition, orderId, line.Quantity, wait, cancellationToken);
        if (reorder is not null)
        {
            // Committed with the reservation; sent now, or by the outbox sweeper (through its pointer) if this send fails.
            await _relay.RelayAsync(Table, [reorder], pointer, cancellationToken);
        }

        return outcome;
    }

    /// <summary>Gives back every line the order holds. Lines never reserved, or released already, are left alone.</summary>
    public async Task ReleaseAsync(string orderId, IReadOnlyList<OrderLine> lines, CancellationToken cancellationToken)
    {
        InventoryKeys.ThrowIfInvalidOrderId(orderId);
        await ReleaseLinesAsync(orderId, StockLine.From(lines), cancellationToken);
    }

    /// <summary>Units of the SKU that can be reserved, or null when the SKU has no stock row.</summary>
    public async Task<int?> GetAvailableAsync(string sku, CancellationToken cancellationToken)
    {
        if (InventoryKeys.PartitionFor(sku) is not { } partition)
        {
            return null;
        }

        var response = await Table.GetEntityIfExistsAsync<StockRow>(
            partition, InventoryKeys.StockRowKey, [nameof(StockRow.Available)], cancellationToken);
        return response.HasValue ? response.Value!.Available : null;
    }

    /// <summary>The stock row of the SKU, or null when it has none (or is not a SKU the shop accepts).</summary>
    public async Task<StockRow?> GetStockAsync(string sku, CancellationToken cancellationToken)
    {
        if (InventoryKeys.PartitionFor(sku) is not { } partition)
        {
            return null;
        }

        var response = await Table.GetEntityIfExistsAsync<StockRow>(partition, InventoryKeys.StockRowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>
    /// Books a goods receipt: adds its units to the SKU's stock once per receipt id (<see cref="StockPartitions.AddUnitsAsync"/>).
    /// A SKU of the catalog without a stock row gets one; null for any other SKU without one.
    /// </summary>
    public async Task<(bool Added, StockReceiptRow Receipt)?> ReceiveAsync(
        string sku, string receiptId, int quantity, string? note, CancellationToken cancellationToken)
    {
        if (InventoryKeys.PartitionFor(sku) is not { } partition)
        {
            return null;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(quantity, 1);
        if (!InventoryKeys.IsValidReceiptId(receiptId))
        {
            throw new ArgumentException("The receipt id cannot be used as a table key.", nameof(receiptId));
        }

        var receipt = new StockReceiptRow { RowKey = InventoryKeys.ReceiptRowKey(receiptId), ReceiptId = receiptId, Quantity = quantity, Note = note };
        return await _partitions.AddUnitsAsync(partition, receipt, createStockRow: CatalogSeed.Find(partition) is not null, cancellationToken) is { } added
            ? (added.Added, added.Receipt)
            : null;
    }

    /// <summary>The order's reservations (Reserved or Released) of the SKUs on these lines, in line order.</summary>
    public async Task<IReadOnlyList<StockReservation>> GetReservationsAsync(string orderId, IReadOnlyList<OrderLine> lines, CancellationToken cancellationToken)
    {
        InventoryKeys.ThrowIfInvalidOrderId(orderId);
        var reads = StockLine.From(lines)
            .Where(line => line.Partition is not null)
            .Select(line => _partitions.FindReservationAsync(line.Partition!, orderId, cancellationToken));
        var found = await Task.WhenAll(reads);
        return [.. found.OfType<ReservationRow>().Select(row => row.ToReservation())];
    }

    /// <summary>
    /// Inserts the stock rows that are missing, with each item's initial stock; existing stock is never overwritten.
    /// Returns how many rows were inserted.
    /// </summary>
    public async Task<int> SeedAsync(IEnumerable<CatalogSeedItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var now = _time.GetUtcNow();
        // All checked before anything is written.
        var rows = items.Select(item => new StockRow
        {
            PartitionKey = InventoryKeys.PartitionFor(item.Sku) ?? throw new ArgumentException($"'{item.Sku}' is not a valid SKU.", nameof(items)),
            Available = item.InitialStock >= 0 ? item.InitialStock : throw new ArgumentException($"{item.Sku} has a negative initial stock.", nameof(items)),
            UpdatedAt = now,
            ReorderPoint = item.EffectiveReorderPoint,
            ReorderQuantity = item.EffectiveReorderQuantity,
        }).ToList();

        var inserted = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = SeedParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(rows, options, async (row, ct) =>
        {
            try
            {
                await Table.AddEntityAsync(row, ct);
                Interlocked.Increment(ref inserted);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // The SKU has stock already: it is the truth, not the seed.
            }
        });
        return inserted;
    }

    /// <summary>
    /// Adds a supplier's replenishment to the SKU's stock, once per replenishment id (its row is written in the same
    /// transaction), and closes the reorder it answers. False when it was counted before; null when the SKU has no stock row.
    /// </summary>
    public async Task<bool?> ReplenishAsync(string sku, string replenishmentId, string reorderId, int quantity, CancellationToken cancellationToken)
    {
        if (InventoryKeys.PartitionFor(sku) is not { } partition)
        {
            return null;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(quantity, 1);
        var row = new StockReceiptRow
        {
            RowKey = InventoryKeys.ReplenishmentRowKey(replenishmentId),
            ReceiptId = replenishmentId,
            Quantity = quantity,
            Note = $"reorder {reorderId}",
        };
        var result = await _partitions.AddUnitsAsync(partition, row, createStockRow: false, cancellationToken, closesReorderId: reorderId);
        if (result is { Reorder: { } reorder })
        {
            await _relay.RelayAsync(Table, [reorder], result.Value.Pointer, cancellationToken);
        }

        return result?.Added;
    }

    private async Task ReleaseLinesAsync(string orderId, IEnumerable<StockLine> lines, CancellationToken cancellationToken)
    {
        foreach (var line in lines)
        {
            if (line.Partition is not null)
            {
                await _partitions.ReleaseAsync(line.Partition, orderId, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} cannot be reserved: {Sku} is out of stock; nothing stays reserved")]
    private partial void LogOutOfStock(string orderId, string sku);
}
