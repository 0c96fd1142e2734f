using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Catalog;

/// <summary>
/// A catalog item: PartitionKey = <see cref="CatalogKeys.ItemsPartition"/>, RowKey = SKU (uppercase). Written by
/// <see cref="CatalogSeeder"/> from the seed that ships with the app.
/// </summary>
public sealed class CatalogItemRow : ITableEntity
{
    public string PartitionKey { get; set; } = CatalogKeys.ItemsPartition;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>The SKU as the seed spells it.</summary>
    public string Sku { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Description { get; set; } = string.Empty;

    /// <summary>Invariant decimal text: Table storage has no decimal type, and a double would not keep cents exact.</summary>
    public string Price { get; set; } = "0";

    public string Currency { get; set; } = string.Empty;

    public decimal PriceValue => decimal.Parse(Price, NumberStyles.Number, CultureInfo.InvariantCulture);

    public static CatalogItemRow From(CatalogSeedItem item) => new()
    {
        RowKey = CatalogKeys.PartitionFor(item.Sku) ?? throw new ArgumentException($"'{item.Sku}' is not a valid SKU.", nameof(item)),
        Sku = item.Sku,
        Name = item.Name,
        Description = item.Description,
        Price = item.Price.ToString(CultureInfo.InvariantCulture),
        Currency = item.Currency,
    };

    /// <summary>True when the stored row says what <paramref name="other"/> says (keys and content; not ETag or time).</summary>
    public bool SameContent(CatalogItemRow other) =>
        RowKey == other.RowKey && Sku == other.Sku && Name == other.Name && Description == other.Description
        && Currency == other.Currency && PriceValue == other.PriceValue;
}
