using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Shop.Functions.Orders;

namespace Shop.Functions.Fulfillment;

/// <summary>
/// The fulfillment saga, version 2, one instance per order (instance id = order id); docs/saga.md draws it.
/// AcceptOrder -> ReserveStock -> ChargePayment -> RequestShipment -> wait for the carrier's ShipmentDispatched (or a
/// cancel, or the shipping timeout) -> CompleteOrder. Money and goods are conserved whatever fails:
/// <list type="bullet">
/// <item>A cancel is looked at before each step and honoured until the carrier dispatches: a requested shipment is
/// cancelled with the carrier first (CancelShipment), and only once the carrier confirms are the card refunded and the stock
/// released. If the carrier dispatched first, the order completes.</item>
/// <item>Compensations are registered before their step runs (a step whose answer was lost may have taken effect) and
/// never dropped: after their activity retries they run again on a long schedule of durable timers (the order shows
/// <see cref="OrderStatuses.Compensating"/>), and if that runs out the order ends <see cref="OrderStatuses.NeedsAttention"/>.</item>
/// <item>A charge whose outcome is unknown is resolved by asking the provider (ResolvePayment), not guessed.</item>
/// <item>After dispatch nothing compensates: CompleteOrder is retried on the long schedule.</item>
/// <item>An order short of stock waits for it, backordered, when its input carries <see cref="FulfillmentInput.Backorders"/>
/// (before ChargePayment, so nothing is charged while it waits), and fails OutOfStock past the limit.</item>
/// </list>
/// Deterministic: no clock, randomness or I/O here, only activities, timers and events.
/// </summary>
public static class OrderFulfillmentOrchestrator
{
    /// <summary>The custom status once the carrier reported dispatch: from then on the order can only complete.</summary>
    public const string DispatchedStatus = "ShipmentDispatched";

    [Function(nameof(OrderFulfillmentV2))]
    public static Task<FulfillmentResult> OrderFulfillmentV2([OrchestrationTrigger] TaskOrchestrationContext context) =>
        RunAsync(context, context.GetInput<FulfillmentInput>() ?? throw new InvalidOperationException("The orchestration has no input."));

    public static async Task<FulfillmentResult> RunAsync(TaskOrchestrationContext context, FulfillmentInput input)
    {
        var logger = context.CreateReplaySafeLogger(nameof(OrderFulfillmentV2));
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["OrderId"] = input.OrderId });
        return await new Saga(context, input, logger).RunAsync();
    }

    /// <summary>What the carrier answered to a CancelShipment.</summary>
    private enum CarrierAnswer
    {
        Cancelled,
        Dispatched,
        None,
    }

    private sealed class Saga
    {
        private static readonly LongRetry DefaultLongRetry = new(TimeSpan.FromMinutes(5), TimeSpan.FromHours(6), TimeSpan.FromDays(3));

        private readonly TaskOrchestrationContext _context;
        private readonly FulfillmentInput _input;
        private readonly ILogger _logger;
        private readonly TaskOptions _retry;
        private readonly LongRetry _longRetry;

        // Compensations of the steps done (or maybe done) so far, run last-in, first-out. The shipment's is apart: it
        // is a conversation with the carrier, and its answer can turn the unwinding into a completion.
        private readonly Stack<(string Activity, object Input)> _compensations = new();
        private bool _shipmentRequested;
        private bool _dispatchReported;

        // Created once: an event raised before anyone waits for it is kept until someone does.
        private readonly Task<CancelOrderRequest?> _cancel;
        private Task<ShipmentDispatchedData?>? _dispatched;

        public Saga(TaskOrchestrationContext context, FulfillmentInput input, ILogger logger)
        {
            _context = context;
            _input = input;
            _logger = logger;
            _longRetry = input.Compensation ?? DefaultLongRetry;
            // Transient failures (storage, the payment provider) are retried with back-off; a bug or a missing order is not.
            _retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
                input.Retry.MaxAttempts, input.Retry.FirstInterval, backoffCoefficient: 2, input.Retry.MaxInterval)
            {
                HandleFailure = failure => !failure.IsCausedBy<ArgumentException>() && !failure.IsCausedBy<InvalidOperationException>(),
            });
            _cancel = context.WaitForExternalEvent<CancelOrderRequest?>(FulfillmentEvents.CancelOrder);
        }

        private string OrderId => _input.OrderId;

        private bool CancelRequested => _cancel.IsCompleted;

        private Task<ShipmentDispatchedData?> Dispatched =>
            _dispatched ??= _context.WaitForExternalEvent<ShipmentDispatchedData?>(FulfillmentEvents.ShipmentDispatched);

        public async Task<FulfillmentResult> RunAsync()
        {
            try
            {
                return await FulfillAsync();
            }
            catch (TaskFailedException ex)
            {
                // A step failed through all its retries: undo what was (maybe) done and end the order.
                _logger.LogError("Order {OrderId}: step {Activity} failed after retries: {Error}", OrderId, ex.TaskName, ex.FailureDetails.ErrorMessage);
                return await UnwindAsync(OrderStatuses.Failed, FailureReasons.FulfillmentError);
            }
        }

        private async Task<FulfillmentResult> FulfillAsync()
        {
            // Accepted by the PlaceOrder consumer when the input says so (issue 14); instances without it accept here.
            var order = _input.Accepted ?? await Step<AcceptedOrder>(nameof(FulfillmentActivities.AcceptOrder), OrderId);
            if (CancelRequested)
            {
                return await CancelAsync();
            }

            // Registered before the call, and run even after an out-of-stock answer: a ReserveStock that failed midway may
            // hold some lines, and release also marks the order's lines released, so that a late duplicate of ReserveStock
            // (activities are at least once) takes nothing.
            // Backorders only for instances started with the policy: older ones replay as they ran (out of stock fails at once).
            var backorders = _input.Backorders;
            var stockInput = backorders is null ? new StockInput(OrderId, order.Items) : new StockInput(OrderId, order.Items, Backorder: true);
            _compensations.Push((nameof(FulfillmentActivities.ReleaseStock), stockInput));
            var stock = await Step<StockOutcome>(nameof(FulfillmentActivities.ReserveStock), stockInput);
            if (stock.Waiting && backorders is not null)
            {
                switch (await AwaitStockAsync(stockInput, backorders))
                {
                    case null:
                        _logger.LogInformation("Order {OrderId}: cancellation requested while backordered", OrderId);
                        return await CancelAsync();
                    case false:
                        _logger.LogWarning("Order {OrderId}: no stock within the backorder limit {Limit}", OrderId, backorders.Limit);
                        return await UnwindAsync(OrderStatuses.Failed, FailureReasons.OutOfStock);
                }
            }
            else if (!stock.Reserved)
            {
                return await UnwindAsync(OrderStatuses.Failed, FailureReasons.OutOfStock);
            }

            if (CancelRequested)
            {
                return await CancelAsync();
            }

            // Before the call: a charge whose answer was lost may have captured. The refund finds it by order id, and closes
            // the order at the provider when there is nothing to refund, so a charge still in flight cannot land later.
            _compensations.Push((nameof(FulfillmentActivities.RefundPayment), OrderId));
            var payment = await ChargeAsync();
            if (payment is { AwaitingAction: true })
            {
                // Only a real provider answers this (3-D Secure), and only since it existed: older histories never get here.
                payment = await AwaitPaymentActionAsync();
                if (payment is not { Captured: true } && CancelRequested)
                {
                    return await CancelAsync();
                }
            }

            if (payment is not { Captured: true })
            {
                var reason = payment?.DeclineCode is null ? FailureReasons.PaymentFailed : FailureReasons.PaymentDeclined;
                return await UnwindAsync(OrderStatuses.Failed, reason);
            }

            if (CancelRequested)
            {
                return await CancelAsync();
            }

            // Before the call: a RequestShipment whose answer was lost may have sent ShipOrder.
            _shipmentRequested = true;
            await Step<object?>(nameof(FulfillmentActivities.RequestShipment), OrderId);
            return await AwaitShipmentAsync();
        }

        /// <summary>
        /// The order is backordered (docs/saga.md, "Backorders"): it keeps what it reserved and is on the waiting list of each
        /// SKU it is short of. It tries the reservation again on each <see cref="FulfillmentEvents.StockReplenished"/>, every
        /// <see cref="BackorderPolicy.RecheckInterval"/>, and once more at <see cref="BackorderPolicy.Limit"/>. True once all
        /// is reserved; false when the limit passed (or a SKU turned out of stock for good); null on a cancel.
        /// </summary>
        private async Task<bool?> AwaitStockAsync(StockInput stockInput, BackorderPolicy policy)
        {
            var giveUpAt = _context.CurrentUtcDateTime.Add(policy.Limit);
            // One waiter at a time: an abandoned one would take the next event. Events raised meanwhile are kept for the next.
            var replenished = _context.WaitForExternalEvent<StockReplenishedData?>(FulfillmentEvents.StockReplenished);
            while (true)
            {
                if (CancelRequested)
                {
                    return null;
                }

                var now = _context.CurrentUtcDateTime;
                if (now >= giveUpAt)
                {
                    return false;
                }

                SetStatus(OrderStatuses.Backordered);
                var wakeAt = now.Add(policy.RecheckInterval) < giveUpAt ? now.Add(policy.RecheckInterval) : giveUpAt;
                using var stopTimer = new CancellationTokenSource();
                var timer = _context.CreateTimer(wakeAt, stopTimer.Token);
                var first = await Task.WhenAny(replenished, _cancel, timer);
                if (first != timer)
                {
#pragma warning disable CA1849
                    stopTimer.Cancel();
#pragma warning restore CA1849
                }

                if (first == _cancel)
                {
                    return null;
                }

                if (first == replenished)
                {
                    _logger.LogInformation("Order {OrderId}: {Sku} was replenished; trying the reservation again", OrderId, replenished.Result?.Sku);
                    replenished = _context.WaitForExternalEvent<StockReplenishedData?>(FulfillmentEvents.StockReplenished);
                }

                var stock = await Step<StockOutcome>(nameof(FulfillmentActivities.ReserveStock), stockInput);
                if (stock.Reserved)
                {
                    return true;
                }

                if (!stock.Waiting)
                {
                    return false;
                }
            }
        }

        /// <summary>The charge's outcome; when the charge failed through its retries, the provider is asked what happened.</summary>
        private async Task<PaymentOutcome?> ChargeAsync()
        {
            try
            {
                return await Step<PaymentOutcome>(nameof(FulfillmentActivities.ChargePayment), OrderId);
            }
            catch (TaskFailedException ex)
            {
                _logger.LogWarning(
                    "Order {OrderId}: the charge failed after retries ({Error}); asking the provider what happened", OrderId, ex.FailureDetails.ErrorMessage);
                var (resolved, outcome, _) = await PersistAsync<PaymentOutcome>(nameof(FulfillmentActivities.ResolvePayment), OrderId, owed: false);
                return resolved ? outcome : null;
            }
        }

        /// <summary>
        /// The charge waits for the customer (3-D Secure): until the provider's webhook raises <see cref="FulfillmentEvents.PaymentSettled"/>,
        /// a cancel, or <see cref="FulfillmentInput.PaymentActionTimeout"/>. A failure event is the decline; otherwise the
        /// provider is asked (ResolvePayment records a capture), and a payment still unfinished counts as not captured: the
        /// unwinding's refund cancels it at the provider, so it can never capture later.
        /// </summary>
        private async Task<PaymentOutcome?> AwaitPaymentActionAsync()
        {
            _context.SetCustomStatus("AwaitingPaymentAction");
            var settled = _context.WaitForExternalEvent<PaymentSettledData?>(FulfillmentEvents.PaymentSettled);
            using var stopTimer = new CancellationTokenSource();
            var timeout = _context.CreateTimer(_context.CurrentUtcDateTime.Add(_input.PaymentActionTimeout ?? TimeSpan.FromHours(1)), stopTimer.Token);
            var first = await Task.WhenAny(settled, _cancel, timeout);
            if (first != timeout)
            {
#pragma warning disable CA1849
                stopTimer.Cancel();
#pragma warning restore CA1849
            }

            if (first == settled && settled.Result is { Succeeded: false } failed)
            {
                return new PaymentOutcome(false, failed.DeclineCode ?? Payments.DeclineCodes.CardDeclined);
            }

            _logger.LogInformation("Order {OrderId}: the payment's action ended ({How}); asking the provider", OrderId, first == settled ? "settled" : first == _cancel ? "cancel" : "timeout");
            var (resolved, outcome, _) = await PersistAsync<PaymentOutcome>(nameof(FulfillmentActivities.ResolvePayment), OrderId, owed: false);
            return resolved ? outcome : null;
        }

        private async Task<FulfillmentResult> AwaitShipmentAsync()
        {
            _context.SetCustomStatus(OrderStatuses.AwaitingShipment);
            using var stopTimer = new CancellationTokenSource();
            var timeout = _context.CreateTimer(_context.CurrentUtcDateTime.Add(_input.ShippingTimeout), stopTimer.Token);
            var first = await Task.WhenAny(Dispatched, _cancel, timeout);
            if (first != timeout)
            {
                // Synchronous on purpose: CancelAsync would continue on the thread pool, outside the orchestration's scheduler.
#pragma warning disable CA1849
                stopTimer.Cancel();
#pragma warning restore CA1849
            }

            if (first == Dispatched)
            {
                return await CompleteAsync();
            }

            if (first == _cancel)
            {
                _logger.LogInformation("Order {OrderId}: cancellation requested while awaiting shipment", OrderId);
                return await CancelAsync();
            }

            _logger.LogWarning("Order {OrderId}: no shipment within {Timeout}", OrderId, _input.ShippingTimeout);
            return await UnwindAsync(OrderStatuses.Failed, FailureReasons.ShippingTimeout);
        }

        private Task<FulfillmentResult> CancelAsync() => UnwindAsync(OrderStatuses.Cancelled, reason: null);

        /// <summary>
        /// Ends the order <paramref name="status"/> (Cancelled or Failed): first the shipment, if one was requested (the
        /// carrier may answer that it dispatched: then the order completes), then the other compensations, then the final
        /// write. A step that cannot be done within the long schedule ends the order NeedsAttention, keeping what is not undone.
        /// </summary>
        private async Task<FulfillmentResult> UnwindAsync(string status, string? reason)
        {
            if (_shipmentRequested)
            {
                switch (await CancelShipmentAsync(reason ?? OrderStatuses.Cancelled))
                {
                    case CarrierAnswer.Dispatched:
                        _logger.LogInformation("Order {OrderId}: the carrier dispatched before it could cancel; the order completes", OrderId);
                        return await CompleteAsync();
                    case CarrierAnswer.None:
                        return await NeedsAttentionAsync(
                            $"The carrier did not confirm the cancellation of the shipment within {_input.CarrierAnswerTimeout ?? TimeSpan.Zero}; " +
                            "the payment and the stock are kept until it is known whether the parcel left.");
                }
            }

            while (_compensations.TryPeek(out var compensation))
            {
                var (done, _, error) = await PersistAsync<object?>(compensation.Activity, compensation.Input, owed: true);
                if (!done)
                {
                    return await NeedsAttentionAsync($"{compensation.Activity} did not succeed within {_longRetry.GiveUpAfter}: {error}");
                }

                _compensations.Pop();
            }

            var (ended, _, endError) = status == OrderStatuses.Cancelled
                ? await PersistAsync<object?>(nameof(FulfillmentActivities.MarkOrderCancelled), OrderId, owed: true)
                : await PersistAsync<object?>(nameof(FulfillmentActivities.FailOrder), new FailOrderInput(OrderId, reason!), owed: true);
            if (!ended)
            {
                return await NeedsAttentionAsync($"The order could not be marked {status} within {_longRetry.GiveUpAfter}: {endError}");
            }

            _logger.LogWarning("Order {OrderId} ended {Status} ({Reason})", OrderId, status, reason);
            return new FulfillmentResult(OrderId, status, reason);
        }

        /// <summary>Sends CancelShipment (on the long schedule) and waits for the carrier's answer.</summary>
        private async Task<CarrierAnswer> CancelShipmentAsync(string reason)
        {
            var (requested, _, _) = await PersistAsync<object?>(
                nameof(FulfillmentActivities.RequestShipmentCancellation), new ShipmentCancellationInput(OrderId, reason), owed: true);
            if (!requested)
            {
                return Dispatched.IsCompleted ? CarrierAnswer.Dispatched : CarrierAnswer.None;
            }

            _context.SetCustomStatus("AwaitingShipmentCancellation");
            var cancelled = _context.WaitForExternalEvent<ShipmentCancelledData?>(FulfillmentEvents.ShipmentCancelled);
            using var stopTimer = new CancellationTokenSource();
            var timeout = _context.CreateTimer(_context.CurrentUtcDateTime.Add(_input.CarrierAnswerTimeout ?? TimeSpan.FromDays(1)), stopTimer.Token);
            var first = await Task.WhenAny(Dispatched, cancelled, timeout);
            if (first != timeout)
            {
#pragma warning disable CA1849
                stopTimer.Cancel();
#pragma warning restore CA1849
            }

            return first == Dispatched ? CarrierAnswer.Dispatched : first == cancelled ? CarrierAnswer.Cancelled : CarrierAnswer.None;
        }

        /// <summary>The carrier dispatched: the order can only complete. No compensation runs after this point.</summary>
        private async Task<FulfillmentResult> CompleteAsync()
        {
            _dispatchReported = true;
            _context.SetCustomStatus(DispatchedStatus);
            var trackingNumber = Dispatched.Result?.TrackingNumber;
            var (done, _, error) = await PersistAsync<object?>(
                nameof(FulfillmentActivities.CompleteOrder), new CompleteOrderInput(OrderId, trackingNumber), owed: false);
            if (!done)
            {
                return await NeedsAttentionAsync($"The shipment left but the order could not be marked Completed within {_longRetry.GiveUpAfter}: {error}");
            }

            _logger.LogInformation("Order {OrderId} completed", OrderId);
            return new FulfillmentResult(OrderId, OrderStatuses.Completed);
        }

        /// <summary>Gives up for a person to look. If even that cannot be written, the watchdog finds the order later.</summary>
        private async Task<FulfillmentResult> NeedsAttentionAsync(string reason)
        {
            _logger.LogError("Order {OrderId} needs attention: {Reason}", OrderId, reason);
            try
            {
                await Step<object?>(nameof(FulfillmentActivities.MarkNeedsAttention), new NeedsAttentionInput(OrderId, reason));
            }
            catch (TaskFailedException ex)
            {
                _logger.LogError(
                    "Order {OrderId}: NeedsAttention could not be recorded ({Error}); the open-orders watchdog will find the order",
                    OrderId,
                    ex.FailureDetails.ErrorMessage);
            }

            return new FulfillmentResult(OrderId, OrderStatuses.NeedsAttention, reason);
        }

        /// <summary>
        /// Runs a step that must not be dropped: after its activity retries, again after a durable timer on the long
        /// schedule, until <see cref="LongRetry.GiveUpAfter"/> has passed since the first failure. When <paramref name="owed"/>,
        /// the order shows Compensating while it waits.
        /// </summary>
        private async Task<(bool Done, T? Result, string? Error)> PersistAsync<T>(string activity, object input, bool owed)
        {
            DateTime? giveUpAt = null;
            var delay = _longRetry.FirstInterval;
            for (var round = 1; ; round++)
            {
                try
                {
                    return (true, await Step<T>(activity, input), null);
                }
                catch (TaskFailedException ex)
                {
                    var error = ex.FailureDetails.ErrorMessage;
                    giveUpAt ??= _context.CurrentUtcDateTime.Add(_longRetry.GiveUpAfter);
                    if (_context.CurrentUtcDateTime.Add(delay) > giveUpAt)
                    {
                        _logger.LogError("Order {OrderId}: {Activity} gave up after {Rounds} rounds: {Error}", OrderId, activity, round, error);
                        return (false, default, error);
                    }

                    _logger.LogWarning("Order {OrderId}: {Activity} failed ({Error}); trying again in {Delay}", OrderId, activity, error, delay);
                    if (owed && round == 1)
                    {
                        await MarkOwedAsync(activity, error);
                    }

                    SetStatus($"Retrying{activity}");
                    await _context.CreateTimer(_context.CurrentUtcDateTime.Add(delay), CancellationToken.None);
                    delay = delay * 2 < _longRetry.MaxInterval ? delay * 2 : _longRetry.MaxInterval;
                }
            }
        }

        private async Task MarkOwedAsync(string activity, string error)
        {
            try
            {
                await Step<object?>(nameof(FulfillmentActivities.MarkStepOwed), new StepOwedInput(OrderId, activity, error));
            }
            catch (TaskFailedException)
            {
                // Storage is down as well: the step is retried all the same, and the order shows it once storage is back.
            }
        }

        private Task<T> Step<T>(string activity, object input)
        {
            SetStatus(activity);
            return _context.CallActivityAsync<T>(activity, input, _retry);
        }

        private void SetStatus(string status)
        {
            // Once the carrier reported dispatch the status says so until the end: the cancel endpoint reads it (409).
            if (!_dispatchReported)
            {
                _context.SetCustomStatus(status);
            }
        }
    }
}
