namespace Shop.Functions.Platform;

/// <summary>Table names are part of the design (docs/architecture.md, "Storage"), shared by code and Bicep.</summary>
public static class StorageTables
{
    public const string Orders = "Orders";
    public const string Inventory = "Inventory";
    public const string Webhooks = "Webhooks";
    public const string WebhookDeliveries = "WebhookDeliveries";
    public const string Catalog = "Catalog";
    public const string Inbox = "Inbox";
    public const string PaymentsSandbox = "PaymentsSandbox";
    public const string Shipments = "Shipments";

    /// <summary>The Stripe gateway's note of each order's PaymentIntent and whether a refund closed it (Payments/StripeLedger.cs).</summary>
    public const string PaymentsStripe = "PaymentsStripe";

    /// <summary>The open-orders index the watchdog reads by due bucket (Orders/Watchdog/OpenOrderIndex.cs).</summary>
    public const string OpenOrders = "OpenOrders";

    /// <summary>Each account's orders, newest first (Orders/History/CustomerOrderIndex.cs).</summary>
    public const string CustomerOrders = "CustomerOrders";

    /// <summary>Finished orders by the UTC day they ended, which retention reads (Platform/Retention/FinishedOrderIndex.cs).</summary>
    public const string FinishedOrders = "FinishedOrders";

    /// <summary>Pointers to pending outbox rows by 10-second creation bucket, which the sweeper reads (Messaging/OutboxIndex.cs).</summary>
    public const string OutboxIndex = "OutboxIndex";

    /// <summary>The tables this build of the app reads and writes.</summary>
    public static IReadOnlyList<string> InUse { get; } = [Orders, Inventory, PaymentsSandbox, Catalog, Shipments, Inbox, Webhooks, WebhookDeliveries, OpenOrders, FinishedOrders, PaymentsStripe, CustomerOrders, OutboxIndex];
}
