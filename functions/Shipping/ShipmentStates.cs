namespace Shop.Functions.Shipping;

/// <summary>
/// The carrier's state of an order's shipment (<see cref="ShipmentRow.State"/>): <see cref="Booked"/> -> <see cref="Dispatched"/>
/// or <see cref="Cancelled"/>, each move ETag-guarded, so a cancel and a dispatch racing end in exactly one of the two.
/// A row written before states existed has none: its ShipmentDispatched was scheduled at booking, so it counts as
/// dispatched for a cancel (too late) and is moved to Dispatched by a dispatch.
/// </summary>
public static class ShipmentStates
{
    public const string Booked = nameof(Booked);
    public const string Dispatched = nameof(Dispatched);

    /// <summary>Cancelled before dispatch, or a tombstone written before any booking: nothing ships.</summary>
    public const string Cancelled = nameof(Cancelled);
}
