using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Catalog;

public sealed class CatalogOptions
{
    public const string SectionName = "Catalog";

    /// <summary>
    /// How long a catalog read from storage is served without asking storage again (and the <c>max-age</c> clients get).
    /// Units sold are at most this old in the "popular" order.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a refresh from storage may take before the last good catalog is served instead.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// At startup, write the items of the seed that ships with the app into the Catalog table where they are missing or
    /// differ. Turn off where the catalog is managed elsewhere.
    /// </summary>
    public bool SeedOnStartup { get; set; } = true;
}
