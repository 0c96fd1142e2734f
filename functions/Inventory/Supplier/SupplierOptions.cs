using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Inventory.Supplier;

public sealed class SupplierOptions
{
    public const string SectionName = "Supplier";

    /// <summary>
    /// How long after a ReorderStock the sandbox supplier delivers: its StockReplenished is a scheduled message due then.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan LeadTime { get; set; } = TimeSpan.FromHours(1);
}
