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
/// Accepts an order in ONE storage round trip: the insert of its open-orders entry (<see cref="OpenOrderIndex.HoldAsync"/>),
/// which holds the whole order. Once it is in, the order is safe whatever happens next, and the watchdog knows of it.
/// Behind the 202 (tracked by the relay) come the order row, written from the same fields, and the PlaceOrder send; the
/// watchdog's first look slims the entry to what it reads. Should any of that fail, or the process die first, the entry still holds
/// the order: the PlaceOrder consumer or any reader writes the row from it (<see cref="OrderStore.FindAsync"/>), and the
/// watchdog does when the entry falls due and starts the saga (docs/messaging.md, "The front door").
/// With an Idempotency-Key the order id derives from the key and the entry's key from the order id, so the duplicate check
/// is the insert itself, for as long as the entry remembers the key (<see cref="OrdersOptions.IdempotencyWindow"/>). The
/// id is fixed before the first storage attempt, so an EntityAlreadyExists whose stored request hash matches is this order,
/// keyed or not (an insert the SDK resent after a lost response conflicts with its own first commit), and is answered 202.
/// </summary>
/// <remarks>
/// An insert that fails after the SDK's retries is not taken for "nothing stored": its response may have been lost
/// after it committed, so the entry is read before the client is told 503 (a keyless client cannot safely retry).
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
            try
            {
                // The one write before the 202: the open-orders entry, holding the whole order. The watchdog knows of the
                // order from the moment it exists, and the insert is the idempotency check.
                await openOrders.HoldAsync(order, now + openOrdersOptions.Value.DueAfter, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Either this request's own insert, committed by an attempt whose response was lost and resent by the
                // SDK, or an earlier request with the same key (within its idempotency window). Both answer the stored
                // order when the body is the same. An entry is there, so a read that fails now must not be taken for
                // "nothing stored": it is read as after a failure (retried, then "outcome unknown").
                var existing = await FindAfterFailureAsync(orderId, ex, cancellationToken)
                    ?? throw new InvalidOperationException($"Order {orderId} conflicted on insert but cannot be read.", ex);
                if (existing.RequestHash == order.RequestHash)
                {
                    return Replay(existing, order);
                }

                if (command.IdempotencyKey is not null)
                {
                    LogKeyReused(orderId);
                    return new SubmitOrderResult(SubmitOrderOutcome.KeyReused, order);
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
                // back). The entry says which; only when it cannot be read is the outcome unknown.
                var stored = await FindAfterFailureAsync(orderId, ex, cancellationToken);
                if (stored?.RequestHash != order.RequestHash)
                {
                    throw;
                }

                return Replay(stored, order);
            }

            LogAccepted(orderId, command.Order.Items.Count, command.IdempotencyKey is not null);
            // On the thread pool: the row's serialization, signing and send are not made on the way to the 202.
            relay.TrackBehindResponse(Task.Run(() => WriteOrderAsync(order), CancellationToken.None));
            return new SubmitOrderResult(SubmitOrderOutcome.Accepted, order);
        }
    }

    /// <summary>What a stored request is compared with: its hash, and when it was accepted.</summary>
    private sealed record StoredRequest(string? RequestHash, DateTimeOffset? CreatedAt);

    /// <summary>The stored request after a failed insert (null: nothing is stored), read from the order's entry up to three times.</summary>
    /// <exception cref="WriteOutcomeUnknownException">No read answered: it is not known whether the order was stored.</exception>
    private async Task<StoredRequest?> FindAfterFailureAsync(string orderId, Exception failure, CancellationToken cancellationToken)
    {
        for (var read = 1; ; read++)
        {
            try
            {
                // Every entry in a shard carries its order's request hash: the front door writes it, and the watchdog
                // moves an entry from a due bucket with the order row's.
                var entry = await openOrders.FindAsync(orderId, cancellationToken);
                return entry is null ? null : new StoredRequest(entry.RequestHash, entry.CreatedAt);
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
    /// The same request was stored before. When the stored entry is this very attempt's (its CreatedAt is ours: the SDK
    /// resent an insert whose response was lost), its order row and PlaceOrder are still to come: they are written behind
    /// the 202 as for a first commit. Otherwise the first request wrote them (or its entry still holds the order, which
    /// any reader writes out), and its answer is given again as it was first given (202, status Accepted, the same id and
    /// callback secret: the body is the same); the status URL says where the order is now. No read is needed for it.
    /// </summary>
    private SubmitOrderResult Replay(StoredRequest existing, OrderRow attempted)
    {
        if (existing.CreatedAt == attempted.CreatedAt)
        {
            LogCommittedByRetry(attempted.OrderId);
            relay.TrackBehindResponse(Task.Run(() => WriteOrderAsync(attempted), CancellationToken.None));
            return new SubmitOrderResult(SubmitOrderOutcome.Accepted, attempted);
        }

        LogReplayed(attempted.OrderId);
        return new SubmitOrderResult(SubmitOrderOutcome.Replayed, attempted);
    }

    /// <summary>
    /// Behind the 202: the order row, from the order the entry holds; then the PlaceOrder send (itself in the background,
    /// <see cref="OutboxRelay.RelayUnstoredInBackground"/>). The entry keeps the order's fields until the watchdog's first
    /// look replaces it with what the watchdog reads (a write per order fewer than releasing it here). Whatever
    /// fails here, the entry still holds the order: the PlaceOrder consumer or any reader writes the row from it
    /// (<see cref="OrderStore.FindAsync"/>), and the watchdog does when the entry falls due. A row already there with
    /// another request hash is an order whose key was reused after its idempotency window: that order stays, this body
    /// is not kept (logged), and the PlaceOrder for that order is a duplicate its consumer ignores.
    /// </summary>
    private async Task WriteOrderAsync(OrderRow order)
    {
        var placeOrder = OutboxRow.For(order.OrderId, new PlaceOrder(order.OrderId).ToMessage(), order.CreatedAt);
        try
        {
            var stored = await store.WriteHeldAsync(order, CancellationToken.None);
            if (stored.RequestHash != order.RequestHash)
            {
                LogKeyReusedAfterWindow(order.OrderId);
            }

            relay.RelayUnstoredInBackground(store.Table.Name, placeOrder);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            LogRowLeftToEntry(ex, order.OrderId);
            relay.RelayUnstoredInBackground(store.Table.Name, placeOrder);
        }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Idempotency key of order {OrderId} reused with a different body after its idempotency window; the first order stays and this body was not kept")]
    private partial void LogKeyReusedAfterWindow(string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: its row could not be written behind the 202; its open-orders entry holds it until a reader or the watchdog writes it")]
    private partial void LogRowLeftToEntry(Exception exception, string orderId);
}
