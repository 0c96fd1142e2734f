using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Shipping;

public sealed class ShippingOptions
{
    public const string SectionName = "Shipping";

    /// <summary>
    /// How long after a shipment is booked the carrier reports it dispatched: ShipmentDispatched is sent as a
    /// scheduled message due then. Keep it well below <c>Fulfillment:ShippingTimeout</c>, or orders time out first.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DispatchDelay { get; set; } = TimeSpan.FromSeconds(30);
}
