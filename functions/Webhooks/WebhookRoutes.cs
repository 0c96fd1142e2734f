namespace Shop.Functions.Webhooks;

/// <summary>Routes of the webhooks API (under the host's <c>api</c> prefix) and the paths answers point to.</summary>
public static class WebhookRoutes
{
    public const string Collection = "webhooks";
    public const string Subscription = "webhooks/{id}";
    public const string RotateSecret = "webhooks/{id}/rotate-secret";
    public const string Deliveries = "webhooks/{id}/deliveries";
    public const string Redeliver = "webhooks/{id}/deliveries/{deliveryId}/redeliver";

    public static string SubscriptionPath(string id) => $"/api/webhooks/{id}";

    public static string DeliveriesPath(string id) => $"/api/webhooks/{id}/deliveries";
}
