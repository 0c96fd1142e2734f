using System.Text.RegularExpressions;

namespace Shop.Functions.Catalog;

/// <summary>
/// The one rule for a SKU the shop accepts, wherever one arrives (order intake, the carrier's command, catalog and
/// stock keys): 1-64 letters, digits, '-' and '_'. SKUs compare case-insensitively; their table partition is upper case.
/// </summary>
public static partial class Sku
{
    public const int MaxLength = 64;

    public static bool IsValid(string? sku) => sku is not null && Pattern().IsMatch(sku);

    /// <summary>The table partition of a SKU (upper case), or null when it is not a SKU the shop accepts.</summary>
    public static string? PartitionFor(string? sku) => IsValid(sku) ? sku!.ToUpperInvariant() : null;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex Pattern();
}
