using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Shipping;

/// <summary>An order's one shipment: PartitionKey = order id, RowKey = <see cref="Key"/>. Holds no address.</summary>
public sealed class ShipmentEntity : ITableEntity
{
    public const string Key = "shipment";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = Key;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string TrackingNumber { get; set; } = string.Empty;

    /// <summary>Who carries it (<see cref="SandboxCarrier.CarrierName"/> for simulated shipments).</summary>
    public string Carrier { get; set; } = string.Empty;

    /// <summary>JSON array of the order lines shipped.</summary>
    public string Items { get; set; } = "[]";

    public DateTimeOffset CreatedAt { get; set; }

    public static ShipmentEntity For(ShipOrder order, string carrier, string trackingNumber, DateTimeOffset createdAt) => new()
    {
        PartitionKey = order.OrderId,
        TrackingNumber = trackingNumber,
        Carrier = carrier,
        Items = JsonSerializer.Serialize(order.Items.ToList(), ShopJsonContext.Default.ListOrderLine),
        CreatedAt = createdAt,
    };

    public Shipment ToShipment() => new(PartitionKey, TrackingNumber, CreatedAt);
}
