namespace Shop.Functions.Inventory;

public sealed class InventoryOptions
{
    public const string SectionName = "Inventory";

    /// <summary>
    /// Insert the stock rows of the catalog seed that are missing when the app starts (existing stock is never
    /// overwritten). Turn off where stock is managed elsewhere.
    /// </summary>
    public bool SeedOnStartup { get; set; } = true;
}
