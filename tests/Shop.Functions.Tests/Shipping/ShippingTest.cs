using System.Text.Json;
using Azure.Data.Tables;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Shipping;
using Shop.Functions.Shipping.Booking;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Shipping;

/// <summary>ShipOrder commands for tests, and what the carrier and the handler leave behind.</summary>
internal static class ShippingTest
{
    public static ShippingAddress Address { get; } = new("1 Analytical Way", null, "London", null, "N1 9GU", "GB");

    /// <summary>The saga's ShipOrder: the order's sequence 5 set aside for the carrier's ShipmentDispatched.</summary>
    public static ShipOrder Command(string orderId) => new(orderId, [new OrderLine("SKU-001", 2), new OrderLine("SKU-002", 1)], Address, DispatchSequence: 5);

    /// <summary>The shipment rows of an order (a well-behaved carrier leaves at most one).</summary>
    public static async Task<List<ShipmentRow>> ShipmentsAsync(this ShopTestServices shop, string orderId) =>
        await shop.Tables.GetTableClient(StorageTables.Shipments).QueryAsync<ShipmentRow>(e => e.PartitionKey == orderId).ToListAsync();

    public static IReadOnlyList<OutgoingMessage> DispatchedFor(this ShopTestServices shop, string orderId) =>
        shop.Sender.SentFor(orderId).Where(m => m.Subject == OrderEventTypes.ShipmentDispatched).ToList();

    public static IReadOnlyList<OutgoingMessage> CancelledFor(this ShopTestServices shop, string orderId) =>
        shop.Sender.SentFor(orderId).Where(m => m.Subject == OrderEventTypes.ShipmentCancelled).ToList();

    /// <summary>What the carrier sent for the order to the topic: ShipmentDispatched and ShipmentCancelled.</summary>
    public static IReadOnlyList<OutgoingMessage> OutcomesFor(this ShopTestServices shop, string orderId) =>
        shop.Sender.SentFor(orderId).Where(m => m.Destination == Topics.OrderEvents).ToList();

    public static T Read<T>(OutgoingMessage message, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.Deserialize(message.Body.ToString(), typeInfo)!;

    public static OrderEvent EventOf(OutgoingMessage message) =>
        JsonSerializer.Deserialize(message.Body.ToString(), ShopJsonContext.Default.OrderEvent)!;
}
