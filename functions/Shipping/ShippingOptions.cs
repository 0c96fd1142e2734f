using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Shipping;

public sealed class ShippingOptions
{
    public const string SectionName = "Shipping";

    /// <summary>
    /// How long after a shipment is booked the sandbox carrier dispatches it: its carrier-internal DispatchBookedShipment
    /// is a scheduled message due then, whose handler publishes ShipmentDispatched. Until then a CancelShipment stops the
    /// parcel. Keep it well below <c>Fulfillment:ShippingTimeout</c>, or orders time out first.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DispatchDelay { get; set; } = TimeSpan.FromSeconds(30);
}
