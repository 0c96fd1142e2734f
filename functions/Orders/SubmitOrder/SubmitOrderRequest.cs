namespace Shop.Functions.Orders.SubmitOrder;

/// <summary>
/// The body of <c>POST /api/orders</c>, as sent. Every member is nullable so that a missing field is
/// reported by the validator with its path, not as a JSON error.
/// </summary>
public sealed record SubmitOrderRequest(
    CustomerRequest? Customer,
    IReadOnlyList<OrderLineRequest?>? Items,
    ShippingAddress? ShippingAddress,
    PaymentRequest? Payment,
    string? CallbackUrl);

public sealed record CustomerRequest(string? Id, string? Email, string? Name);

public sealed record OrderLineRequest(string? Sku, int? Quantity);

public sealed record PaymentRequest(string? Method, string? Token);

/// <summary>
/// The 202 body: where to poll. With a <c>callbackUrl</c>, <see cref="CallbackSecret"/> is the secret (<c>whsec_...</c>)
/// that signs the order's callbacks (Standard Webhooks), the same on every answer for the same order.
/// </summary>
public sealed record SubmitOrderResponse(string OrderId, string Status, string StatusUrl, string? CallbackSecret = null);
