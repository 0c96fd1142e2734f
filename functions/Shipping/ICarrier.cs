namespace Shop.Functions.Shipping;

/// <summary>Books the shipment of an order with a carrier.</summary>
public interface ICarrier
{
    /// <summary>
    /// Books the order's shipment, or answers the one booked before: an order has one shipment and one tracking
    /// number, however often it is asked. Throws when the carrier cannot be reached (a transient failure).
    /// </summary>
    Task<Shipment> ShipAsync(ShipOrder order, CancellationToken cancellationToken);
}
