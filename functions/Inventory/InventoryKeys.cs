using System.Text.RegularExpressions;
using Shop.Functions.Catalog;

namespace Shop.Functions.Inventory;

/// <summary>
/// Keys of the Inventory table: PartitionKey = SKU; in each partition the stock row (<see cref="StockRowKey"/>) and one
/// reservation row per order (<see cref="ReservationRowKey"/>). SKUs are case-insensitive: the key is the uppercase form.
/// </summary>
public static partial class InventoryKeys
{
    public const string StockRowKey = "stock";
    public const string ReservationRowKeyPrefix = "reservation|";

    // '}' sorts right after '|': [prefix, end) is exactly the reservation rows of a partition.
    public const string ReservationRowKeyEnd = "reservation}";

    /// <summary>The waiting list of backordered orders: <c>waiting|{n}</c>, n the SKU's n-th waiter (docs/inventory.md).</summary>
    public const string WaitingRowKeyPrefix = "waiting|";
    public const string WaitingRowKeyEnd = "waiting}";

    private const int MaxOrderIdLength = 200;

    /// <summary>Zero-padded, so that the RowKey order is the arrival order.</summary>
    public static string WaitingRowKey(long position) => WaitingRowKeyPrefix + position.ToString("D12", System.Globalization.CultureInfo.InvariantCulture);

    public static string ReservationRowKey(string orderId) => ReservationRowKeyPrefix + orderId;

    /// <summary>A goods receipt booked by an operator (<c>POST /api/ops/stock/{sku}/receipts</c>).</summary>
    public static string ReceiptRowKey(string receiptId) => "receipt|" + receiptId;

    /// <summary>A supplier's replenishment (the StockReplenished event).</summary>
    public static string ReplenishmentRowKey(string replenishmentId) => "replenishment|" + replenishmentId;

    /// <summary>A receipt or replenishment id: usable in a RowKey and in a message id.</summary>
    public static bool IsValidReceiptId(string? id) => id is not null && ReceiptIdPattern().IsMatch(id);

    /// <summary>The partition of a SKU, or null when no stock can exist for it (not a SKU the shop accepts).</summary>
    public static string? PartitionFor(string? sku) => Sku.PartitionFor(sku);

    /// <summary>An order id must be usable in a RowKey: no '/', '\', '#', '?' nor control characters.</summary>
    internal static void ThrowIfInvalidOrderId(string orderId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        if (orderId.Length > MaxOrderIdLength || orderId.AsSpan().IndexOfAny("/\\#?") >= 0 || orderId.Any(char.IsControl))
        {
            throw new ArgumentException("The order id cannot be used as a table key.", nameof(orderId));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")]
    private static partial Regex ReceiptIdPattern();

}
