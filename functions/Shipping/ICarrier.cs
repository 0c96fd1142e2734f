using Shop.Functions.Shipping.Booking;
using Shop.Functions.Shipping.Cancellation;

namespace Shop.Functions.Shipping;

/// <summary>
/// Books, cancels and dispatches the shipment of an order with a carrier. An order has one shipment: Booked, then
/// Dispatched or Cancelled (<see cref="ShipmentStates"/>), never both. Every call is idempotent and throws when the
/// carrier cannot be reached (a transient failure).
/// </summary>
public interface ICarrier
{
    /// <summary>
    /// Books the order's shipment, or answers the one booked before: one shipment and one tracking number, however often
    /// it is asked. An order cancelled before (a tombstone) answers its Cancelled shipment and books nothing.
    /// </summary>
    Task<Shipment> ShipAsync(ShipOrder order, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels the order's shipment unless it was dispatched: answers it Cancelled (now or before), or Dispatched (too
    /// late). An order with no booking gets a Cancelled tombstone, so a later <see cref="ShipAsync"/> books nothing.
    /// </summary>
    Task<Shipment> CancelAsync(CancelShipment command, CancellationToken cancellationToken);

    /// <summary>
    /// Hands a booked shipment over (the sandbox's warehouse, after its dispatch delay): answers it Dispatched (now or
    /// before) or Cancelled (a cancel came first: nothing leaves); null when the order has no shipment at all.
    /// </summary>
    Task<Shipment?> DispatchAsync(string orderId, CancellationToken cancellationToken);
}
