using System.Text.Json;
using System.Text.Json.Serialization;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.DeadLetters;
using Shop.Functions.Orders;
using Shop.Functions.Orders.CancelOrder;
using Shop.Functions.Orders.Events;
using Shop.Functions.Orders.GetOrder;
using Shop.Functions.Orders.GetOrderStatus;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Platform.Http;
using Shop.Functions.Shipping.Booking;
using Shop.Functions.Shipping.Cancellation;
using Shop.Functions.Shipping.Handover;

namespace Shop.Functions.Platform;

/// <summary>The one source-generated JSON context for every HTTP contract, message and stored JSON column.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(SubmitOrderRequest))]
[JsonSerializable(typeof(SubmitOrderResponse))]
[JsonSerializable(typeof(OrderStatusResponse))]
[JsonSerializable(typeof(OrderResponse))]
[JsonSerializable(typeof(List<OrderStep>))]
[JsonSerializable(typeof(List<OrderLine>))]
[JsonSerializable(typeof(List<PricedLine>))]
[JsonSerializable(typeof(ShippingAddress))]
[JsonSerializable(typeof(PlaceOrder))]
[JsonSerializable(typeof(OrderEvent))]
[JsonSerializable(typeof(CancelOrderResponse))]
[JsonSerializable(typeof(Payments.StripeEvents.StripeEventReceipt))]
[JsonSerializable(typeof(Shipping.Booking.ShipOrder))]
[JsonSerializable(typeof(Shipping.Cancellation.CancelShipment))]
[JsonSerializable(typeof(Shipping.Handover.DispatchBookedShipment))]
[JsonSerializable(typeof(Notifications.Sending.SendEmail))]
[JsonSerializable(typeof(List<Catalog.CatalogSeedItem>))]
[JsonSerializable(typeof(Catalog.CatalogItem))]
[JsonSerializable(typeof(Catalog.CatalogItemsResponse))]
[JsonSerializable(typeof(DeadLetterListResponse))]
[JsonSerializable(typeof(DeadLetterReplayResponse))]
[JsonSerializable(typeof(Webhooks.Registration.RegisterWebhookRequest))]
[JsonSerializable(typeof(Webhooks.Registration.UpdateWebhookRequest))]
[JsonSerializable(typeof(Webhooks.Registration.WebhookResponse))]
[JsonSerializable(typeof(Webhooks.Registration.WebhookListResponse))]
[JsonSerializable(typeof(Webhooks.Registration.RotateSecretResponse))]
[JsonSerializable(typeof(Webhooks.Dispatch.DeliverWebhook))]
[JsonSerializable(typeof(List<Webhooks.DeliveryLog.WebhookAttemptRecord>))]
[JsonSerializable(typeof(Webhooks.DeliveryLog.WebhookDeliveryListResponse))]
[JsonSerializable(typeof(Webhooks.DeliveryLog.RedeliverResponse))]
[JsonSerializable(typeof(Health.HealthResponse))]
[JsonSerializable(typeof(Orders.Watchdog.NeedsAttentionListResponse))]
[JsonSerializable(typeof(Orders.History.CustomerOrderListResponse))]
[JsonSerializable(typeof(Inventory.Admin.StockReceiptRequest))]
[JsonSerializable(typeof(Inventory.Admin.StockReceiptResponse))]
[JsonSerializable(typeof(Inventory.Admin.StockResponse))]
[JsonSerializable(typeof(Inventory.Supplier.ReorderStock))]
[JsonSerializable(typeof(Inventory.Supplier.StockReplenished))]
public sealed partial class ShopJsonContext : JsonSerializerContext;
