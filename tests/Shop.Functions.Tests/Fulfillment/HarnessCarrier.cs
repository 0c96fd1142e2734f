using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Shop.Functions.Fulfillment;
using Shop.Functions.Fulfillment.CarrierEvents;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders.Events;
using Shop.Functions.Shipping;
using Shop.Functions.Shipping.Booking;
using Shop.Functions.Shipping.Cancellation;
using Shop.Functions.Shipping.Handover;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>
/// The carrier of the saga harness, for one order: the app's own Shipping handlers (ShipOrder, CancelShipment and the
/// carrier's scheduled dispatch) run on the commands the saga sent, and the fulfillment consumer's handler hands the
/// carrier's ShipmentDispatched / ShipmentCancelled to the saga, as Service Bus would deliver them: each message id once
/// (duplicate detection), a scheduled message when it is due, a message whose handler threw again a moment later.
/// Nothing is delayed past the test: <see cref="DisposeAsync"/> waits until every message sent so far was handled.
/// </summary>
public sealed class HarnessCarrier : IAsyncDisposable
{
    private readonly SagaHarness _saga;
    private readonly string _orderId;
    private readonly Func<Task>? _atDispatch;
    private readonly HashSet<string> _handled = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private HarnessCarrier(SagaHarness saga, string orderId, Func<Task>? atDispatch)
    {
        _saga = saga;
        _orderId = orderId;
        _atDispatch = atDispatch;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Messages a handler rejected (they would be dead-lettered), with the reason.</summary>
    public List<string> Rejected { get; } = [];

    /// <param name="atDispatch">Runs together with the carrier's dispatch (a cancel racing it).</param>
    public static HarnessCarrier Start(SagaHarness saga, string orderId, Func<Task>? atDispatch = null) => new(saga, orderId, atDispatch);

    public async ValueTask DisposeAsync()
    {
        // Everything sent so far is handled (scheduled messages included), then the loop stops.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (Pending().Count > 0 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private List<OutgoingMessage> Pending()
    {
        lock (_handled)
        {
            return [.. _saga.Shop.Sender.SentFor(_orderId).Where(m => IsCarriers(m) && !_handled.Contains(m.MessageId))];
        }
    }

    private static bool IsCarriers(OutgoingMessage m) =>
        m.Destination is Queues.ShipOrder or Queues.CancelShipment or Queues.DispatchBookedShipment
        || (m.Destination == Topics.OrderEvents && m.Subject is OrderEventTypes.ShipmentDispatched or OrderEventTypes.ShipmentCancelled);

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var message in Pending().Where(m => m.ScheduledEnqueueTime is null || m.ScheduledEnqueueTime <= DateTimeOffset.UtcNow))
            {
                try
                {
                    var outcome = await HandleAsync(message);
                    if (outcome is MessageOutcome.Rejection rejection)
                    {
                        Rejected.Add($"{message.Subject}: {rejection.Description}");
                    }

                    if (outcome is not MessageOutcome.Postponement)
                    {
                        lock (_handled)
                        {
                            _handled.Add(message.MessageId);
                        }
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A transient failure (injected storage faults): the pipeline would try the message again later.
                }
            }

            try
            {
                await Task.Delay(50, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<MessageOutcome> HandleAsync(OutgoingMessage message)
    {
        var context = new MessageContext(message.MessageId, message.Subject, message.CorrelationId, 1, DateTimeOffset.UtcNow);
        switch (message.Destination)
        {
            case Queues.ShipOrder:
                return await Run(_saga.Shop.Get<ShipOrderHandler>(), message, context);
            case Queues.CancelShipment:
                return await Run(_saga.Shop.Get<CancelShipmentHandler>(), message, context);
            case Queues.DispatchBookedShipment:
                var dispatch = Run(_saga.Shop.Get<DispatchBookedShipmentHandler>(), message, context);
                if (_atDispatch is not null)
                {
                    await Task.WhenAll(dispatch, _atDispatch());
                }

                return await dispatch;
            default:
                return await Run(new ShipmentDispatchedHandler(_saga.Client, NullLogger<ShipmentDispatchedHandler>.Instance), message, context);
        }
    }

    private static Task<MessageOutcome> Run<T>(IMessageHandler<T> handler, OutgoingMessage message, MessageContext context)
        where T : class
    {
        var body = JsonSerializer.Deserialize(message.Body.ToString(), handler.TypeInfo)!;
        return handler.HandleAsync(body, context, CancellationToken.None);
    }
}
