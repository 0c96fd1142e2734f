using Shop.Functions.Catalog;

namespace Shop.Functions.Orders.SubmitOrder;

/// <summary>The order's lines priced from the catalog, or why they cannot be (errors keyed by JSON path, as validation's).</summary>
public sealed record PricingResult(IReadOnlyList<PricedLine>? Lines, IReadOnlyDictionary<string, string[]> Errors)
{
    /// <summary>The SKUs the catalog does not have, as the client sent them.</summary>
    public IReadOnlyList<string> UnknownSkus { get; init; } = [];
}

/// <summary>
/// Prices an order at intake from the catalog (the cached snapshot, <see cref="CatalogCache"/>), never from the client:
/// every SKU must be in the catalog, and all of one currency. Throws <see cref="CatalogUnavailableException"/> when the
/// catalog cannot be read and was never cached.
/// </summary>
public sealed class OrderPricing(CatalogCache catalog)
{
    public async Task<PricingResult> PriceAsync(IReadOnlyList<OrderLine> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var snapshot = (await catalog.ReadAsync(cancellationToken)).Snapshot;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var unknown = new List<string>();
        var priced = new List<PricedLine>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            if (snapshot.Find(lines[i].Sku) is not { } item)
            {
                unknown.Add(lines[i].Sku);
                errors[$"items[{i}].sku"] = [$"The catalog has no item '{lines[i].Sku}'."];
                continue;
            }

            priced.Add(new PricedLine(lines[i].Sku, lines[i].Quantity, item.Price, item.Currency));
        }

        if (errors.Count == 0 && priced.Select(line => line.Currency).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            errors["items"] = ["The items are priced in different currencies; order them separately."];
        }

        return errors.Count == 0
            ? new PricingResult(priced, errors)
            : new PricingResult(null, errors) { UnknownSkus = unknown };
    }
}
