using System.Runtime.Serialization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Shop.Functions.Platform;
using Shop.Functions.Shipping.Booking;
using Shop.Functions.Shipping.Cancellation;

namespace Shop.Functions.Shipping;

/// <summary>An order's one shipment: PartitionKey = order id, RowKey = <see cref="Key"/>. Holds no address.</summary>
public sealed class ShipmentRow : ITableEntity
{
    public const string Key = "shipment";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = Key;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>Empty in a tombstone (cancelled before any booking).</summary>
    public string TrackingNumber { get; set; } = string.Empty;

    /// <summary>Who carries it (<see cref="SandboxCarrier.CarrierName"/> for simulated shipments).</summary>
    public string Carrier { get; set; } = string.Empty;

    /// <summary>JSON array of the order lines shipped.</summary>
    public string Items { get; set; } = "[]";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>One of <see cref="ShipmentStates"/>; null in rows from before states existed (see there).</summary>
    public string? State { get; set; }

    /// <summary>The order's sequence reserved for ShipmentDispatched or ShipmentCancelled, whichever happens.</summary>
    public long DispatchSequence { get; set; }

    public DateTimeOffset? DispatchedAt { get; set; }

    public DateTimeOffset? CancelledAt { get; set; }

    public string? CancelReason { get; set; }

    /// <summary>The state a decision is made on: a row without one was dispatched when booked. Not stored.</summary>
    [IgnoreDataMember]
    public string EffectiveState => State ?? ShipmentStates.Dispatched;

    public static ShipmentRow For(ShipOrder order, string carrier, string trackingNumber, DateTimeOffset createdAt) => new()
    {
        PartitionKey = order.OrderId,
        TrackingNumber = trackingNumber,
        Carrier = carrier,
        Items = JsonSerializer.Serialize(order.Items.ToList(), ShopJsonContext.Default.ListOrderLine),
        CreatedAt = createdAt,
        State = ShipmentStates.Booked,
        DispatchSequence = order.DispatchSequence,
    };

    /// <summary>The row a CancelShipment leaves for an order that has no booking: its ShipOrder will book nothing.</summary>
    public static ShipmentRow Tombstone(CancelShipment command, string carrier, DateTimeOffset at) => new()
    {
        PartitionKey = command.OrderId,
        Carrier = carrier,
        CreatedAt = at,
        State = ShipmentStates.Cancelled,
        DispatchSequence = command.DispatchSequence,
        CancelledAt = at,
        CancelReason = command.Reason ?? string.Empty,
    };

    public Shipment ToShipment() => new(PartitionKey, TrackingNumber, CreatedAt)
    {
        State = EffectiveState,
        DispatchSequence = DispatchSequence,
        DispatchedAt = DispatchedAt,
        CancelledAt = CancelledAt,
        CancelReason = CancelReason,
    };
}
