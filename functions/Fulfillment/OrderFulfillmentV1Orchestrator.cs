using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Shop.Functions.Orders;

namespace Shop.Functions.Fulfillment;

/// <summary>
/// FROZEN: version 1 of the fulfillment saga, kept registered under its original name only so that instances started
/// before <see cref="OrderFulfillmentOrchestrator"/> (version 2) replaced it finish as they began (docs/saga.md,
/// "Versioning"). Never change what it calls or in which order: a replay that differs from its history fails the instance.
/// Remove it once no instance named <see cref="Name"/> is running or pending.
///
/// One instance per order (instance id = order id): AcceptOrder -> ReserveStock ->
/// ChargePayment -> RequestShipment -> wait for ShipmentDispatched (or CancelOrder, or the shipping timeout) ->
/// CompleteOrder. A failure after a step runs the compensations in reverse (RefundPayment, ReleaseStock) and
/// ends the order Failed with a reason. Deterministic: no clock, randomness or I/O here, only activities.
/// </summary>
public static class OrderFulfillmentV1Orchestrator
{
    /// <summary>The name version 1 instances were started under.</summary>
    public const string Name = "OrderFulfillment";

    [Function(Name)]
    public static Task<FulfillmentResult> OrderFulfillment([OrchestrationTrigger] TaskOrchestrationContext context) =>
        RunAsync(context, context.GetInput<FulfillmentInput>() ?? throw new InvalidOperationException("The orchestration has no input."));

    public static async Task<FulfillmentResult> RunAsync(TaskOrchestrationContext context, FulfillmentInput input)
    {
        var logger = context.CreateReplaySafeLogger(Name);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["OrderId"] = input.OrderId });
        var saga = new Saga(context, input, logger);
        return await saga.RunAsync();
    }

    private sealed class Saga(TaskOrchestrationContext context, FulfillmentInput input, ILogger logger)
    {
        // Transient failures (storage, the payment provider) are retried with back-off; a bug or a missing order is not.
        private readonly TaskOptions _retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
            input.Retry.MaxAttempts, input.Retry.FirstInterval, backoffCoefficient: 2, input.Retry.MaxInterval)
        {
            HandleFailure = failure => !failure.IsCausedBy<ArgumentException>() && !failure.IsCausedBy<InvalidOperationException>(),
        });

        // Compensations of the steps done so far; run last-in, first-out.
        private readonly Stack<(string Activity, object Input)> _compensations = new();

        private string OrderId => input.OrderId;

        public async Task<FulfillmentResult> RunAsync()
        {
            try
            {
                var order = await Step<AcceptedOrder>(nameof(FulfillmentActivities.AcceptOrder), OrderId);

                // Registered before the call: a ReserveStock that fails midway may hold some lines, and release is
                // safe for lines never reserved. An out-of-stock answer has already put back what it took.
                var stockInput = new StockInput(OrderId, order.Items);
                _compensations.Push((nameof(FulfillmentActivities.ReleaseStock), stockInput));
                var stock = await Step<StockOutcome>(nameof(FulfillmentActivities.ReserveStock), stockInput);
                if (!stock.Reserved)
                {
                    _compensations.Pop();
                    return await FailAsync(FailureReasons.OutOfStock);
                }

                var payment = await ChargeAsync();
                if (payment is null)
                {
                    return await FailAsync(FailureReasons.PaymentFailed);
                }

                if (!payment.Captured)
                {
                    return await FailAsync(FailureReasons.PaymentDeclined);
                }

                _compensations.Push((nameof(FulfillmentActivities.RefundPayment), OrderId));

                await Step<object?>(nameof(FulfillmentActivities.RequestShipment), OrderId);
                return await AwaitShipmentAsync();
            }
            catch (TaskFailedException ex)
            {
                // A step failed through all its retries: undo what was done and end the order.
                var error = ex.FailureDetails.ErrorMessage;
                logger.LogError("Order {OrderId}: step {Activity} failed after retries: {Error}", OrderId, ex.TaskName, error);
                return await FailAsync(FailureReasons.FulfillmentError);
            }
        }

        /// <summary>Null when the payment provider stayed unavailable through every retry.</summary>
        private async Task<PaymentOutcome?> ChargeAsync()
        {
            try
            {
                return await Step<PaymentOutcome>(nameof(FulfillmentActivities.ChargePayment), OrderId);
            }
            catch (TaskFailedException ex)
            {
                var error = ex.FailureDetails.ErrorMessage;
                logger.LogWarning("Order {OrderId}: payment failed after retries: {Error}", OrderId, error);
                return null;
            }
        }

        private async Task<FulfillmentResult> AwaitShipmentAsync()
        {
            context.SetCustomStatus("AwaitingShipment");
            using var stopWaiting = new CancellationTokenSource();
            var dispatched = context.WaitForExternalEvent<ShipmentDispatchedData?>(FulfillmentEvents.ShipmentDispatched, stopWaiting.Token);
            var cancelled = context.WaitForExternalEvent<CancelOrderRequest?>(FulfillmentEvents.CancelOrder, stopWaiting.Token);
            var timeout = context.CreateTimer(context.CurrentUtcDateTime.Add(input.ShippingTimeout), stopWaiting.Token);

            var first = await Task.WhenAny(dispatched, cancelled, timeout);
            // Synchronous on purpose: CancelAsync would continue on the thread pool, outside the orchestration's scheduler.
#pragma warning disable CA1849
            stopWaiting.Cancel();
#pragma warning restore CA1849

            if (first == dispatched)
            {
                await Step<object?>(nameof(FulfillmentActivities.CompleteOrder), new CompleteOrderInput(OrderId, dispatched.Result?.TrackingNumber));
                logger.LogInformation("Order {OrderId} completed", OrderId);
                return new FulfillmentResult(OrderId, OrderStatuses.Completed);
            }

            if (first == cancelled)
            {
                logger.LogInformation("Order {OrderId}: cancellation requested while awaiting shipment", OrderId);
                await CompensateAsync();
                await Step<object?>(nameof(FulfillmentActivities.MarkOrderCancelled), OrderId);
                return new FulfillmentResult(OrderId, OrderStatuses.Cancelled);
            }

            logger.LogWarning("Order {OrderId}: no shipment within {Timeout}", OrderId, input.ShippingTimeout);
            return await FailAsync(FailureReasons.ShippingTimeout);
        }

        private async Task<FulfillmentResult> FailAsync(string reason)
        {
            await CompensateAsync();
            await Step<object?>(nameof(FulfillmentActivities.FailOrder), new FailOrderInput(OrderId, reason));
            logger.LogWarning("Order {OrderId} failed: {Reason}", OrderId, reason);
            return new FulfillmentResult(OrderId, OrderStatuses.Failed, reason);
        }

        private async Task CompensateAsync()
        {
            while (_compensations.TryPop(out var compensation))
            {
                await Step<object?>(compensation.Activity, compensation.Input);
            }
        }

        private Task<T> Step<T>(string activity, object input)
        {
            context.SetCustomStatus(activity);
            return context.CallActivityAsync<T>(activity, input, _retry);
        }
    }
}
