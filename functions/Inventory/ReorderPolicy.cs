using Shop.Functions.Catalog;
using Shop.Functions.Inventory.Supplier;
using Shop.Functions.Messaging;

namespace Shop.Functions.Inventory;

/// <summary>
/// When a SKU is reordered (docs/inventory.md): its stock row's reorder point and quantity, or else its catalog item's
/// (with the catalog's defaults); a SKU that is neither set up nor in the catalog is never reordered, nor one whose
/// reorder point is 0. At most one reorder is open per SKU: the stock row's <see cref="StockRow.OpenReorderId"/>.
/// </summary>
internal static class ReorderPolicy
{
    public static (int Point, int Quantity)? For(StockRow stock)
    {
        var item = CatalogSeed.Find(stock.PartitionKey);
        int? point = stock.ReorderPoint ?? item?.EffectiveReorderPoint;
        int? quantity = stock.ReorderQuantity ?? item?.EffectiveReorderQuantity ?? CatalogSeedItem.DefaultReorderQuantity;
        return point is > 0 ? (point.Value, quantity.Value) : null;
    }

    /// <summary>
    /// With the stock row already changed: when what is free of it (available less what waiting orders need) is below the
    /// reorder point and no reorder is open, marks the reorder open on the row (which the caller writes under its ETag) and
    /// returns the outbox row of its ReorderStock command. The reorder asks for the reorder quantity plus the units waiting
    /// orders need beyond the stock, so that one replenishment serves every order waiting when it was opened.
    /// </summary>
    public static OutboxRow? OpenIfDue(StockRow stock, DateTimeOffset now)
    {
        var free = stock.Free();
        if (stock.OpenReorderId is not null || For(stock) is not { } policy || free >= policy.Point)
        {
            return null;
        }

        stock.ReorderCount++;
        stock.OpenReorderId = $"{stock.PartitionKey}-{stock.ReorderCount}";
        var command = new ReorderStock(stock.OpenReorderId, stock.PartitionKey, checked(policy.Quantity + Math.Max(0, -free)), now);
        return OutboxRow.For(stock.PartitionKey, command.ToMessage(), now);
    }
}
