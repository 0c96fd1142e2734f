using Shop.Functions.Catalog;
using Shop.Functions.Orders;

namespace Shop.Functions.Fulfillment;

/// <summary>Prices come from the catalog, never from the client.</summary>
public static class CatalogPrices
{
    /// <summary>The order's total. A SKU the catalog does not know cannot be charged (stock reservation refuses it first).</summary>
    public static (decimal Amount, string Currency) Total(IReadOnlyList<OrderLine> lines)
    {
        var priced = lines
            .Select(line => (line.Quantity, Item: CatalogSeed.Find(line.Sku) ?? throw new InvalidOperationException($"SKU {line.Sku} is not in the catalog.")))
            .ToList();
        var currency = priced.Select(p => p.Item.Currency).Distinct().Single();
        return (priced.Sum(p => p.Item.Price * p.Quantity), currency);
    }
}
