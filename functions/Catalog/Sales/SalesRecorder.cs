using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;

namespace Shop.Functions.Catalog.Sales;

/// <summary>
/// Counts completed orders into units sold per SKU (docs/architecture.md, "Catalog"). Each SKU of an order is one Table transaction
/// in the SKU's partition: the order's <see cref="OrderSaleRow"/> is added and the <see cref="SalesCounterRow"/> counter
/// updated, conditional on the counter's ETag (or its absence). The sale row makes it idempotent per order: an event
/// handled twice, redelivered or replayed counts once, in whatever order events of different orders arrive. A writer that
/// loses a race (412, or 409 when a row appeared) reads again and retries, with jittered back-off. The first attempt does
/// not look for the sale row: its insert is the check (a conditional insert, issue 14).
/// </summary>
public sealed partial class SalesRecorder(TableServiceClient tables, TimeProvider time, ILogger<SalesRecorder> logger)
{
    /// <summary>Each failed attempt means another order was counted into the SKU in between; this many in a row: give up, transiently.</summary>
    internal const int MaxAttempts = 30;


    public TableClient Table { get; } = tables.GetTableClient(StorageTables.Catalog);

    /// <summary>
    /// Counts the order into each SKU's sales; returns how many SKUs it was counted into now (the others had it already).
    /// Throws on a storage failure or <see cref="SalesConflictException"/>; SKUs counted by then stay counted, and calling
    /// again counts the rest.
    /// </summary>
    public async Task<int> RecordAsync(string orderId, IReadOnlyList<SaleLine> lines, CancellationToken cancellationToken)
    {
        if (!CatalogKeys.IsUsableOrderId(orderId))
        {
            throw new ArgumentException("The order id cannot be used as a table key.", nameof(orderId));
        }

        ArgumentNullException.ThrowIfNull(lines);
        var counted = 0;
        foreach (var line in lines)
        {
            if (await CountAsync(line.Sku, orderId, line.Quantity, cancellationToken))
            {
                counted++;
            }
        }

        return counted;
    }

    private async Task<bool> CountAsync(string sku, string orderId, int quantity, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The first attempt reads the counter only and lets the sale row's insert say whether the order was counted
            // before (409, in the same transaction, so nothing is counted twice); a retry reads both, as before.
            var (sales, sale) = attempt == 1 ? (await ReadCounterAsync(sku, cancellationToken), null) : await ReadAsync(sku, orderId, cancellationToken);
            if (sale is not null)
            {
                LogAlreadyCounted(orderId, sku);
                return false;
            }

            var now = time.GetUtcNow();
            var first = sales is null;
            sales ??= new SalesCounterRow { PartitionKey = sku };
            sales.UnitsSold += quantity;
            sales.Orders++;
            sales.UpdatedAt = now;
            TableTransactionAction counter = first
                ? new(TableTransactionActionType.Add, sales)
                : new(TableTransactionActionType.UpdateMerge, sales, sales.ETag);
            if (await TrySubmitAsync([counter, new(TableTransactionActionType.Add, OrderSaleRow.For(sku, orderId, quantity, now))], sku, cancellationToken))
            {
                LogCounted(orderId, sku, quantity, sales.UnitsSold);
                return true;
            }

            await BackOffAsync(sku, attempt, cancellationToken);
        }
    }

    private async Task<SalesCounterRow?> ReadCounterAsync(string sku, CancellationToken cancellationToken)
    {
        var response = await Table.GetEntityIfExistsAsync<SalesCounterRow>(sku, CatalogKeys.SalesRowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Two point reads at once; a query for both rows would scan the partition, which grows by a row per order.</summary>
    private async Task<(SalesCounterRow? Sales, OrderSaleRow? Sale)> ReadAsync(string sku, string orderId, CancellationToken cancellationToken)
    {
        var sales = Table.GetEntityIfExistsAsync<SalesCounterRow>(sku, CatalogKeys.SalesRowKey, cancellationToken: cancellationToken);
        var sale = Table.GetEntityIfExistsAsync<OrderSaleRow>(sku, CatalogKeys.SaleRowKey(orderId), cancellationToken: cancellationToken);
        await Task.WhenAll(sales, sale);
        var (salesResponse, saleResponse) = (await sales, await sale);
        return (salesResponse.HasValue ? salesResponse.Value : null, saleResponse.HasValue ? saleResponse.Value : null);
    }

    private Task<bool> TrySubmitAsync(IReadOnlyList<TableTransactionAction> actions, string sku, CancellationToken cancellationToken) =>
        OptimisticConcurrency.TrySubmitAsync(Table, actions, errorCode => LogConflict(sku, errorCode), cancellationToken);

    private async Task BackOffAsync(string sku, int attempt, CancellationToken cancellationToken)
    {
        if (attempt >= MaxAttempts)
        {
            LogGaveUp(sku, attempt);
            throw new SalesConflictException($"The sales of {sku} changed under each of {attempt} attempts to count an order.");
        }

        await OptimisticConcurrency.BackOffAsync(attempt, time, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Counted {Quantity} of {Sku} sold by order {OrderId}; {UnitsSold} sold in all")]
    private partial void LogCounted(string orderId, string sku, int quantity, long unitsSold);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Order {OrderId} was counted into the sales of {Sku} before")]
    private partial void LogAlreadyCounted(string orderId, string sku);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The sales of {Sku} changed concurrently ({ErrorCode}); reading them again")]
    private partial void LogConflict(string sku, string? errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up counting into the sales of {Sku} after {Attempts} conflicting attempts")]
    private partial void LogGaveUp(string sku, int attempts);
}
