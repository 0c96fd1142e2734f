using System.Text.Json.Serialization.Metadata;
using Microsoft.DurableTask.Client;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Platform;

namespace Shop.Functions.Fulfillment;

/// <summary>
/// <c>place-order</c>: starts the order's saga. A duplicate or redelivered command starts nothing new, nor does one for
/// an order that is terminal already; a command for an order that does not exist can never succeed, so it is dead-lettered.
/// </summary>
public sealed class PlaceOrderHandler(DurableTaskClient client, OrderStore orders, FulfillmentStarter starter) : IMessageHandler<PlaceOrder>
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

        await starter.EnsureStartedAsync(client, message.OrderId, cancellationToken);
        return MessageOutcome.Completed;
    }
}
