using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Messaging;
using Shop.Functions.Orders.Watchdog;
using Shop.Functions.Platform;
using Shop.Functions.Webhooks;

namespace Shop.Functions.Orders.SubmitOrder;

/// <summary>
/// What the front door was asked to do: a validated order, and the idempotency key if one was sent. <see cref="Prices"/>
/// are the catalog's (<see cref="OrderPricing"/>), stored with the order; null stores none.
/// </summary>
public sealed record SubmitOrderCommand(ValidOrder Order, SubmitOrderRequest Request, string? IdempotencyKey, string CallerId, string? Account = null)
{
    public IReadOnlyList<PricedLine>? Prices { get; init; }
}

public enum SubmitOrderOutcome
{
    /// <summary>A new order was written (and its PlaceOrder command sent or left for the sweeper).</summary>
    Accepted,

    /// <summary>The same key and body were seen before: the first order is answered again, nothing is written.</summary>
    Replayed,

    /// <summary>The key was used before with another body.</summary>
    KeyReused,
}

public sealed record SubmitOrderResult(SubmitOrderOutcome Outcome, OrderRow Order);

/// <summary>
/// Accepts an order: an entry in the open-orders index (<see cref="OpenOrderIndex"/>), then the order row in ONE insert,
/// then the send of its PlaceOrder command, started in the background so that the 202 waits for no broker. Once the row
/// is in, the order is safe whatever happens next: the PlaceOrder is not stored with it (the order row at step Submitted
/// is what it stands for); a send that fails writes it to the outbox index for the sweeper
/// (<see cref="OutboxRelay.RelayUnstoredInBackground"/>), and if that fails too, or the process dies first, the watchdog
/// finds the order through its open-orders entry at its due time and starts the saga (docs/messaging.md, "The front door").
/// With an Idempotency-Key the order id derives from the key, so the duplicate check is the insert itself. The id is fixed
/// before the first storage attempt, so an EntityAlreadyExists whose stored request hash matches is this order, keyed or
/// not (an insert the SDK resent after a lost response conflicts with its own first commit), and is answered 202.
/// </summary>
/// <remarks>
/// An insert that fails after the SDK's retries is not taken for "nothing stored": its response may have been lost
/// after it committed, so the row is read before the client is told 503 (a keyless client cannot safely retry).
/// </remarks>
public sealed partial class SubmitOrderHandler(
    OrderStore store,
    OutboxRelay relay,
    OpenOrderIndex openOrders,
    OrderPricing pricing,
    CallbackUrlPolicy callbacks,
    CallbackSecrets callbackSecrets,
    IOptions<OrdersOptions> options,
    IOptions<OpenOrdersOptions> openOrdersOptions,
    TimeProvider time,
    ILogger<SubmitOrderHandler> logger)
{
    private const int MaxIdCollisions = 3;

    private readonly byte[] _idempotencySecret = options.Value.IdempotencySecretBytes();

    /// <summary>
    /// The whole submission: validates the body and the key, prices the order from the catalog, stores it
    /// (<see cref="HandleAsync"/>) and says what came of it; storage and catalog failures become
    /// <see cref="SubmitOrderAnswer.Unavailable"/>. Logs within the order's scope.
    /// </summary>
    public async Task<SubmitOrderAnswer> SubmitAsync(SubmitOrderInput input, CancellationToken cancellationToken)
    {
        var keyError = IdempotencyKey(input.IdempotencyKeys, out var idempotencyKey);
        var errors = SubmitOrderValidator.Validate(input.Body, out var order);
        var callbackError = errors.ContainsKey("callbackUrl") ? null : callbacks.Problem(input.Body.CallbackUrl);
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

            return new SubmitOrderAnswer.Invalid(all);
        }

        var command = new SubmitOrderCommand(order, input.Body, idempotencyKey, input.CallerId, input.Account);
        var orderId = OrderIdFor(command);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["OrderId"] = orderId });
        SubmitOrderResult result;
        try
        {
            var priced = await pricing.PriceAsync(order.Items, cancellationToken);
            if (priced.Lines is null)
            {
                return new SubmitOrderAnswer.NotPriced(priced);
            }

            result = await HandleAsync(orderId, command with { Prices = priced.Lines }, cancellationToken);
        }
        catch (WriteOutcomeUnknownException ex)
        {
            LogStorageUnavailable(ex);
            return new SubmitOrderAnswer.Unavailable(OutcomeKnown: false);
        }
        catch (Exception ex) when (ex.IsStorageFailure() || ex is Catalog.CatalogUnavailableException)
        {
            LogStorageUnavailable(ex);
            return new SubmitOrderAnswer.Unavailable(OutcomeKnown: true);
        }

        if (result.Outcome == SubmitOrderOutcome.KeyReused)
        {
            return new SubmitOrderAnswer.KeyReused();
        }

        // The stored order's id: the same as above, unless a random id was taken and another was drawn.
        var stored = result.Order;
        return new SubmitOrderAnswer.Accepted(stored.OrderId, stored.Status, string.IsNullOrEmpty(stored.CallbackUrl) ? null : callbackSecrets.For(stored.OrderId));
    }

    /// <summary>The header the key comes in (its errors are reported under this name).</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Null when no key was sent or the one sent is valid; otherwise what is wrong with it.</summary>
    private static string? IdempotencyKey(IReadOnlyList<string?> values, out string? key)
    {
        key = null;
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

    /// <summary>The id the order will have (<see cref="SubmitAsync"/> opens its log scope with it before calling <see cref="HandleAsync"/>).</summary>
    private string OrderIdFor(SubmitOrderCommand command) =>
        command.IdempotencyKey is { } key
            ? OrderIds.FromIdempotencyKey(_idempotencySecret, command.CallerId, key)
            : OrderIds.NewRandom();

    private async Task<SubmitOrderResult> HandleAsync(string orderId, SubmitOrderCommand command, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var now = time.GetUtcNow();
            var order = NewOrderRow(orderId, command, now);
            var placeOrder = OutboxRow.For(orderId, new PlaceOrder(orderId).ToMessage(), now);

            // Before the order exists, so that no order is ever committed without the watchdog knowing of it. An entry whose
            // insert then fails points at no order, and the watchdog drops it.
            await openOrders.TrackAsync(orderId, now + openOrdersOptions.Value.DueAfter, cancellationToken);
            try
            {
                await store.Table.AddEntityAsync(order, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Either this request's own insert, committed by an attempt whose response was lost and resent by the
                // SDK, or an earlier request with the same key. Both answer the stored order when the body is the same.
                // A row is there, so a read that fails now must not be taken for "nothing stored": it is read as after a
                // failure (retried, then "outcome unknown").
                var existing = await FindAfterFailureAsync(orderId, ex, cancellationToken)
                    ?? throw new InvalidOperationException($"Order {orderId} conflicted on insert but cannot be read.", ex);
                if (existing.RequestHash == order.RequestHash)
                {
                    return Replay(existing, order, placeOrder);
                }

                if (command.IdempotencyKey is not null)
                {
                    LogKeyReused(orderId);
                    return new SubmitOrderResult(SubmitOrderOutcome.KeyReused, existing);
                }

                // Another order holds this random id (2^-128): take a fresh one. Nothing of this request was stored.
                if (attempt >= MaxIdCollisions)
                {
                    throw;
                }

                LogIdCollision(orderId);
                orderId = OrderIds.NewRandom();
                continue;
            }
            catch (Exception ex) when (ex.IsStorageFailure())
            {
                // The insert failed after the SDK's retries: it may still have committed (a response lost on the way
                // back). The row says which; only when it cannot be read is the outcome unknown.
                var stored = await FindAfterFailureAsync(orderId, ex, cancellationToken);
                if (stored?.RequestHash != order.RequestHash)
                {
                    throw;
                }

                return Replay(stored, order, placeOrder);
            }

            LogAccepted(orderId, command.Order.Items.Count, command.IdempotencyKey is not null);

            // Behind the 202: the response waits for no broker. The committed row and its open-orders entry are the guarantee.
            relay.RelayUnstoredInBackground(store.Table.Name, placeOrder);
            return new SubmitOrderResult(SubmitOrderOutcome.Accepted, order);
        }
    }

    /// <summary>The order row after a failed transaction (null: it was not stored), read up to three times.</summary>
    /// <exception cref="WriteOutcomeUnknownException">No read answered: it is not known whether the order was stored.</exception>
    private async Task<OrderRow?> FindAfterFailureAsync(string orderId, Exception failure, CancellationToken cancellationToken)
    {
        for (var read = 1; ; read++)
        {
            try
            {
                return await store.FindAsync(orderId, cancellationToken);
            }
            catch (Exception ex) when (ex.IsStorageFailure() && read < 3)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * read), time, cancellationToken);
            }
            catch (Exception ex) when (ex.IsStorageFailure())
            {
                throw new WriteOutcomeUnknownException($"order {orderId}", new AggregateException(failure, ex));
            }
        }
    }

    /// <summary>
    /// The same request was stored before. When the stored row is this very attempt's (its CreatedAt is ours: the SDK
    /// resent an insert whose response was lost), its PlaceOrder has not been sent yet: send it now rather than leave it
    /// to the watchdog (in the background, as for a first commit). Were it someone else's after all, the send is a
    /// duplicate that Service Bus drops. Otherwise the first request sent it (or its watchdog entry covers it).
    /// </summary>
    private SubmitOrderResult Replay(OrderRow existing, OrderRow attempted, OutboxRow placeOrder)
    {
        if (existing.CreatedAt == attempted.CreatedAt)
        {
            LogCommittedByRetry(existing.OrderId);
            relay.RelayUnstoredInBackground(store.Table.Name, placeOrder);
            return new SubmitOrderResult(SubmitOrderOutcome.Accepted, existing);
        }

        LogReplayed(existing.OrderId);
        return new SubmitOrderResult(SubmitOrderOutcome.Replayed, existing);
    }

    private static OrderRow NewOrderRow(string orderId, SubmitOrderCommand command, DateTimeOffset now)
    {
        var order = command.Order;
        return new OrderRow
        {
            PartitionKey = orderId,
            Status = OrderStatuses.Accepted,
            Step = OrderStatuses.SubmittedStep,
            CustomerId = order.Customer.Id!,
            CustomerEmail = order.Customer.Email!,
            CustomerName = order.Customer.Name!,
            Items = JsonSerializer.Serialize(order.Items.ToList(), ShopJsonContext.Default.ListOrderLine),
            PricedItems = command.Prices is { } prices ? JsonSerializer.Serialize(prices.ToList(), ShopJsonContext.Default.ListPricedLine) : null,
            ShippingAddress = JsonSerializer.Serialize(order.ShippingAddress, ShopJsonContext.Default.ShippingAddress),
            Steps = JsonSerializer.Serialize([new OrderStep(OrderStatuses.SubmittedStep, now)], ShopJsonContext.Default.ListOrderStep),
            PaymentMethod = order.Payment.Method!,
            PaymentToken = order.Payment.Token!,
            CallbackUrl = order.CallbackUrl,
            IdempotencyKey = command.IdempotencyKey,
            RequestHash = RequestHash(command.Request),
            Account = command.Account,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>SHA-256 of the request re-serialized: the same content hashes the same whatever its whitespace or key order.</summary>
    private static string RequestHash(SubmitOrderRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, ShopJsonContext.Default.SubmitOrderRequest)));

    [LoggerMessage(Level = LogLevel.Error, Message = "Order storage failed; the submission was refused with 503")]
    private partial void LogStorageUnavailable(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} accepted with {LineCount} lines (idempotency key: {HasIdempotencyKey})")]
    private partial void LogAccepted(string orderId, int lineCount, bool hasIdempotencyKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} submitted again with the same idempotency key and body; answering the first acceptance")]
    private partial void LogReplayed(string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} was committed by an attempt whose response was lost; answering its acceptance")]
    private partial void LogCommittedByRetry(string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Random order id {OrderId} is taken by another order; retrying with a new id")]
    private partial void LogIdCollision(string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Idempotency key of order {OrderId} reused with a different body; refused")]
    private partial void LogKeyReused(string orderId);
}
