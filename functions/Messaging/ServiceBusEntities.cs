namespace Shop.Functions.Messaging;

/// <summary>
/// Service Bus entity names (docs/architecture.md, "Service Bus topology"). Trigger attributes, the publisher, Bicep
/// and the emulator config all use these, so a contract test can check them against each other.
/// </summary>
public static class Queues
{
    public const string PlaceOrder = "place-order";
    public const string ShipOrder = "ship-order";

    /// <summary>The saga's CancelShipment command to the carrier: honoured until the carrier dispatches.</summary>
    public const string CancelShipment = "cancel-shipment";

    /// <summary>
    /// Carrier-internal: the sandbox carrier's own scheduled DispatchBookedShipment, due DispatchDelay after booking, whose
    /// handler moves the booking to Dispatched and only then publishes ShipmentDispatched. Only the carrier sends to it.
    /// </summary>
    public const string DispatchBookedShipment = "dispatch-booked-shipment";
    public const string SendEmail = "send-email";
    public const string DeliverWebhook = "deliver-webhook";

    /// <summary>The ReorderStock command to the supplier (the sandbox supplier answers with StockReplenished).</summary>
    public const string ReorderStock = "reorder-stock";
}

public static class Topics
{
    public const string OrderEvents = "order-events";
}

public static class Subscriptions
{
    public const string Notifications = "notifications";
    public const string Webhooks = "webhooks";
    public const string Fulfillment = "fulfillment";
    public const string Catalog = "catalog";

    /// <summary>StockReplenished only: the units join the stock (docs/inventory.md).</summary>
    public const string Inventory = "inventory";
}

/// <summary>The app setting (or setting prefix, for identity-based connections) that names the namespace.</summary>
public static class Connections
{
    public const string ServiceBus = "ServiceBus";
}
