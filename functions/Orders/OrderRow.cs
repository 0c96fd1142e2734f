using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Orders;

/// <summary>The order row: PartitionKey = order id, RowKey = <see cref="OrderRowKey"/>. Its outbox rows share the partition.</summary>
public sealed class OrderRow : ITableEntity
{
    public const string OrderRowKey = "order";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = OrderRowKey;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Status { get; set; } = OrderStatuses.Accepted;

    /// <summary>The step the order is in (or ended in).</summary>
    public string Step { get; set; } = OrderStatuses.SubmittedStep;

    /// <summary>Goes up by one with every change; events carry it so consumers can ignore stale ones.</summary>
    public long Sequence { get; set; }

    public string CustomerId { get; set; } = string.Empty;

    public string CustomerEmail { get; set; } = string.Empty;

    public string CustomerName { get; set; } = string.Empty;

    /// <summary>JSON array of <see cref="OrderLine"/>.</summary>
    public string Items { get; set; } = "[]";

    /// <summary>
    /// JSON array of <see cref="PricedLine"/>: the catalog's prices when the order was accepted. Null on orders accepted
    /// before intake priced them; those are charged at the seed's prices.
    /// </summary>
    public string? PricedItems { get; set; }

    /// <summary>JSON of <see cref="Orders.ShippingAddress"/>.</summary>
    public string ShippingAddress { get; set; } = "{}";

    /// <summary>JSON array of <see cref="OrderStep"/>.</summary>
    public string Steps { get; set; } = "[]";

    public string PaymentMethod { get; set; } = string.Empty;

    /// <summary>The payment provider's token; never returned by the API nor logged.</summary>
    public string PaymentToken { get; set; } = string.Empty;

    public string? CallbackUrl { get; set; }

    public string? IdempotencyKey { get; set; }

    /// <summary>SHA-256 of the submitted body in canonical form: a replay with the same key must match it.</summary>
    public string RequestHash { get; set; } = string.Empty;

    public string? FailureReason { get; set; }

    /// <summary>The payment provider's charge, once captured; what a refund refers to.</summary>
    public string? ChargeId { get; set; }

    /// <summary>The amount charged, as invariant text (Table storage has no decimal type).</summary>
    public string? ChargedAmount { get; set; }

    public string? Currency { get; set; }

    public string? TrackingNumber { get; set; }

    /// <summary>
    /// The sequence number set aside for the carrier's answer (ShipmentDispatched or ShipmentCancelled) when shipment was
    /// requested; null on orders whose shipment was requested before it was stored.
    /// </summary>
    public long? ReservedSequence { get; set; }

    /// <summary>
    /// The account that placed it: the caller the gateway vouched for at submit (<see cref="Platform.Http.GatewayCaller"/>),
    /// null without one. Its order history lists it (<see cref="History.CustomerOrderIndex"/>).
    /// </summary>
    public string? Account { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string OrderId => PartitionKey;

    public IReadOnlyList<OrderLine> GetItems() =>
        JsonSerializer.Deserialize(Items, ShopJsonContext.Default.ListOrderLine) ?? [];

    public IReadOnlyList<PricedLine>? GetPricedItems() =>
        PricedItems is null ? null : JsonSerializer.Deserialize(PricedItems, ShopJsonContext.Default.ListPricedLine);

    public ShippingAddress GetShippingAddress() =>
        JsonSerializer.Deserialize(ShippingAddress, ShopJsonContext.Default.ShippingAddress)!;

    /// <summary>Whom the order's events are for (<see cref="Events.OrderContact"/>): carried by the saga's events and ShipOrder.</summary>
    public Events.OrderContact GetContact() =>
        new(CustomerEmail, CustomerName, string.IsNullOrEmpty(CallbackUrl) ? null : CallbackUrl);

    public List<OrderStep> GetSteps() =>
        JsonSerializer.Deserialize(Steps, ShopJsonContext.Default.ListOrderStep) ?? [];

    public bool HasStep(string name) => GetSteps().Exists(step => step.Name == name);
}
