using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Orders.SubmitOrder;

/// <summary>
/// <c>POST /api/orders</c>: reads the body and headers, hands them to <see cref="SubmitOrderHandler.SubmitAsync"/> and maps
/// its answer: 202 with where to poll, 400/422 problems, or 503.
/// </summary>
public sealed class SubmitOrderFunction(
    SubmitOrderHandler handler,
    PublicUrls urls,
    GatewayCaller gateway,
    IOptions<OrdersOptions> options)
{
    public const string IdempotencyKeyHeader = SubmitOrderHandler.IdempotencyKeyHeader;

    /// <summary>
    /// Set by App Service Authentication: scopes idempotency keys to the caller when no gateway signs callers. Behind a
    /// gateway that does (<see cref="GatewayCaller"/>), only its signed caller counts.
    /// </summary>
    public const string CallerIdHeader = "X-MS-CLIENT-PRINCIPAL-ID";

    [Function(nameof(SubmitOrder))]
    public async Task<IActionResult> SubmitOrder(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = OrderRoutes.Submit)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var http = request.HttpContext;
        var body = await JsonRequestReader.ReadAsync(request, ShopJsonContext.Default.SubmitOrderRequest, options.Value.MaxBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var input = new SubmitOrderInput(body.Value!, request.Headers[IdempotencyKeyHeader].ToArray(), CallerOf(request), gateway.Verified(request));
        return await handler.SubmitAsync(input, cancellationToken) switch
        {
            SubmitOrderAnswer.Accepted accepted => Accepted(request, accepted),
            SubmitOrderAnswer.Invalid invalid => Problems.Validation(http, invalid.Errors),
            SubmitOrderAnswer.NotPriced notPriced => NotInCatalog(http, notPriced.Pricing),
            SubmitOrderAnswer.KeyReused => Problems.Create(
                http,
                StatusCodes.Status422UnprocessableEntity,
                ProblemTypes.IdempotencyKeyReused,
                "The Idempotency-Key was used for another request.",
                "Use a new key for a new order; resend the original body to get the original answer."),
            SubmitOrderAnswer.Unavailable { OutcomeKnown: false } => Problems.ServiceUnavailable(
                http,
                "Storage failed while the order was being stored, and it is not known whether it was. Retry with the same Idempotency-Key; " +
                "without one, submitting again may place a second order."),
            SubmitOrderAnswer.Unavailable => Problems.ServiceUnavailable(http, "The order could not be stored; nothing was accepted. Retry with the same Idempotency-Key."),
            var other => throw new InvalidOperationException($"Unexpected answer {other}."),
        };
    }

    private JsonResponse<SubmitOrderResponse> Accepted(HttpRequest request, SubmitOrderAnswer.Accepted accepted)
    {
        var statusUrl = urls.Absolute(request, OrderRoutes.StatusPath(accepted.OrderId));
        return new JsonResponse<SubmitOrderResponse>(
                StatusCodes.Status202Accepted,
                new SubmitOrderResponse(accepted.OrderId, accepted.Status, statusUrl, accepted.CallbackSecret),
                ShopJsonContext.Default.SubmitOrderResponse)
            .WithHeader("Location", statusUrl)
            .WithHeader("Cache-Control", "no-store")
            .WithHeader("Retry-After", options.Value.StatusPollSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private string CallerOf(HttpRequest request) =>
        gateway.Enabled
            ? gateway.Verified(request) ?? "anonymous"
            : request.Headers[CallerIdHeader].ToString() is { Length: > 0 and <= 128 } id ? id : "anonymous";

    private static JsonResponse<Problem> NotInCatalog(HttpContext http, PricingResult priced) =>
        Problems.Create(
            http,
            StatusCodes.Status422UnprocessableEntity,
            priced.UnknownSkus.Count > 0 ? ProblemTypes.UnknownSku : ProblemTypes.ValidationFailed,
            priced.UnknownSkus.Count > 0 ? "The order has items the catalog does not have." : "The order cannot be priced.",
            priced.UnknownSkus.Count > 0
                ? $"Unknown SKU: {string.Join(", ", priced.UnknownSkus)}. Nothing was accepted."
                : "See 'errors'. Nothing was accepted.",
            priced.Errors);
}
