using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.Functions.Messaging;

namespace Shop.Functions.Platform.Health;

/// <summary>
/// Service Bus answers with the app's identity: peek one message of the <c>place-order</c> queue. Peeking needs only the
/// Data Receiver role the app has (the management API, which would need more, is not used), locks and removes nothing,
/// and proves the namespace is reachable, the identity accepted and the queue there.
/// </summary>
public sealed class ServiceBusHealthCheck(ServiceBusClient client) : IHealthCheck
{
    public const string Name = "serviceBus";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var receiver = client.CreateReceiver(Queues.PlaceOrder);
        try
        {
            // WaitAsync: the check ends at the timeout even if opening the link does not watch its token.
            await receiver.PeekMessageAsync(cancellationToken: cancellationToken).WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (ServiceBusException ex)
        {
            return HealthCheckResult.Unhealthy($"Service Bus failed ({ex.Reason}).");
        }
        catch (UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy("Service Bus refused the app's identity.");
        }
        finally
        {
            // Not awaited: closing a link to an unreachable namespace may outlast the timeout the answer is bound by.
            _ = receiver.DisposeAsync().AsTask();
        }
    }
}
