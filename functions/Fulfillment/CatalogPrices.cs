using Shop.Functions.Catalog;
using Shop.Functions.Orders;

namespace Shop.Functions.Fulfillment;

/// <summary>Prices come from the catalog, never from the client.</summary>
public static class CatalogPrices
{
    /// <summary>
    /// The order's total: from the prices intake took from the catalog when it accepted the order, or, for an order
    /// accepted before intake priced orders, from the catalog seed. A SKU the seed does not know cannot be charged
    /// (stock reservation refuses it first).
    /// </summary>
    public static (decimal Amount, string Currency) Total(OrderRow order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var priced = order.GetPricedItems() ?? Seed(order.GetItems());
        var currency = priced.Select(p => p.Currency).Distinct().Single();
        return (priced.Sum(p => p.UnitPrice * p.Quantity), currency);
    }

    private static List<PricedLine> Seed(IReadOnlyList<OrderLine> lines) =>
    [
        .. lines.Select(line => CatalogSeed.Find(line.Sku) is { } item
            ? new PricedLine(line.Sku, line.Quantity, item.Price, item.Currency)
            : throw new InvalidOperationException($"SKU {line.Sku} is not in the catalog.")),
    ];
}
