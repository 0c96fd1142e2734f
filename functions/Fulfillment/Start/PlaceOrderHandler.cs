using System.Text.Json.Serialization.Metadata;
using Microsoft.DurableTask.Client;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Platform;

namespace Shop.Functions.Fulfillment.Start;

/// <summary>
/// <c>place-order</c>: starts the order's saga. A duplicate or redelivered command starts nothing new, nor does one for
/// an order that is terminal already; a command for an order that does not exist can never succeed, so it is dead-lettered.
/// With <paramref name="steps"/> (the app's consumer), it first records OrderAccepted from the row it has just read and
/// starts the saga past its AcceptOrder activity (issue 14: one activity, one orchestrator episode and one read fewer per
/// order). Recording is idempotent, so a redelivered command that finds the order accepted starts the saga the same way.
/// </summary>
public sealed class PlaceOrderHandler(DurableTaskClient client, OrderStore orders, FulfillmentStarter starter, FulfillmentSteps? steps = null) : IMessageHandler<PlaceOrder>
{
    public IReadOnlyCollection<string> Subjects { get; } = [nameof(PlaceOrder)];

    public JsonTypeInfo<PlaceOrder> TypeInfo => ShopJsonContext.Default.PlaceOrder;

    public async Task<MessageOutcome> HandleAsync(PlaceOrder message, MessageContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(message.OrderId))
        {
            return MessageOutcome.Reject("The command has no orderId.");
        }

        var order = await orders.FindAsync(message.OrderId, cancellationToken);
        if (order is null)
        {
            return MessageOutcome.Reject($"No order has the id '{message.OrderId}'.");
        }

        if (OrderStatuses.IsTerminal(order.Status))
        {
            // A late duplicate for an order whose saga finished (and may have been purged): a new saga would find nothing
            // to do but could still compensate what another one did. Nothing starts.
            return MessageOutcome.Completed;
        }

        var accepted = steps is null ? null : await steps.AcceptOrderAsync(message.OrderId, order, cancellationToken);
        await starter.EnsureStartedAsync(client, message.OrderId, accepted, cancellationToken);
        return MessageOutcome.Completed;
    }
}
