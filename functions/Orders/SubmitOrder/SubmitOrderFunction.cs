using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;
using Shop.Functions.Webhooks;

namespace Shop.Functions.Orders.SubmitOrder;

/// <summary><c>POST /api/orders</c>: validate, accept durably, answer 202 with where to poll.</summary>
public sealed partial class SubmitOrderFunction(
    SubmitOrderHandler handler,
    OrderPricing pricing,
    PublicUrls urls,
    CallbackUrlPolicy callbacks,
    CallbackSecrets callbackSecrets,
    GatewayCaller gateway,
    IOptions<OrdersOptions> options,
    ILogger<SubmitOrderFunction> logger)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

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

        var keyError = IdempotencyKey(request, out var idempotencyKey);
        var errors = SubmitOrderValidator.Validate(body.Value!, out var order);
        var callbackError = errors.ContainsKey("callbackUrl") ? null : callbacks.Problem(body.Value!.CallbackUrl);
        if (keyError is not null || callbackError is not null || order is null)
        {
            var all = new Dictionary<string, string[]>(errors, StringComparer.Ordinal);
            if (keyError is not null)
            {
                all[IdempotencyKeyHeader] = [keyError];
            }

            if (callbackError is not null)
            {
                all["callbackUrl"] = [callbackError];
            }

            return Problems.Validation(http, all);
        }

        var callerId = CallerOf(request);
        var command = new SubmitOrderCommand(order, body.Value!, idempotencyKey, callerId, gateway.Verified(request));
        var orderId = handler.OrderIdFor(command);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["OrderId"] = orderId });

        SubmitOrderResult result;
        try
        {
            var priced = await pricing.PriceAsync(order.Items, cancellationToken);
            if (priced.Lines is null)
            {
                return NotInCatalog(http, priced);
            }

            result = await handler.HandleAsync(orderId, command with { Prices = priced.Lines }, cancellationToken);
        }
        catch (WriteOutcomeUnknownException ex)
        {
            LogStorageUnavailable(ex);
            return Problems.ServiceUnavailable(
                http,
                "Storage failed while the order was being stored, and it is not known whether it was. Retry with the same Idempotency-Key; " +
                "without one, submitting again may place a second order.");
        }
        catch (Exception ex) when (ex.IsStorageFailure() || ex is Catalog.CatalogUnavailableException)
        {
            LogStorageUnavailable(ex);
            return Problems.ServiceUnavailable(http, "The order could not be stored; nothing was accepted. Retry with the same Idempotency-Key.");
        }

        if (result.Outcome == SubmitOrderOutcome.KeyReused)
        {
            return Problems.Create(
                http,
                StatusCodes.Status422UnprocessableEntity,
                ProblemTypes.IdempotencyKeyReused,
                "The Idempotency-Key was used for another request.",
                "Use a new key for a new order; resend the original body to get the original answer.");
        }

        // The handler's id: the same as above, unless a random id was taken and it drew another.
        orderId = result.Order.OrderId;
        var statusUrl = urls.Absolute(request, OrderRoutes.StatusPath(orderId));
        return new JsonResponse<SubmitOrderResponse>(
                StatusCodes.Status202Accepted,
                new SubmitOrderResponse(
                    orderId,
                    result.Order.Status,
                    statusUrl,
                    string.IsNullOrEmpty(result.Order.CallbackUrl) ? null : callbackSecrets.For(orderId)),
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

    /// <summary>Null when the header is absent or valid; otherwise what is wrong with it.</summary>
    private static string? IdempotencyKey(HttpRequest request, out string? key)
    {
        key = null;
        var values = request.Headers[IdempotencyKeyHeader];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            return "Send one Idempotency-Key header.";
        }

        var value = values[0] ?? string.Empty;
        if (value.Length is 0 or > 255 || value.Any(c => c is < '!' or > '~'))
        {
            return "The key is 1 to 255 printable ASCII characters, such as a UUID.";
        }

        key = value;
        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Order storage failed; the submission was refused with 503")]
    private partial void LogStorageUnavailable(Exception exception);
}
