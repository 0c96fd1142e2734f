using Azure.Messaging.ServiceBus;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Messaging.DeadLetters;

/// <summary>
/// Messages as a dead-letter receiver gets them: Service Bus keeps the reason and description among the application
/// properties. Built with the tests' one <see cref="ServiceBusMessages"/> helper, which gives each a sequence number of its own.
/// </summary>
internal static class DeadLettered
{
    public const string Reason = DeadLetterReasons.RetriesExhausted;
    public const string Description = "Failed 6 attempts; the last with System.TimeoutException: Table storage timed out";

    public static ServiceBusReceivedMessage Message(
        string messageId = "PlaceOrder:ord_1",
        string? subject = "PlaceOrder",
        string body = """{"orderId":"ord_1"}""",
        IDictionary<string, object>? properties = null,
        int deliveryCount = 1,
        DateTimeOffset? enqueuedTime = null)
    {
        var all = new Dictionary<string, object>(properties ?? new Dictionary<string, object>(), StringComparer.Ordinal)
        {
            ["DeadLetterReason"] = Reason,
            ["DeadLetterErrorDescription"] = Description,
        };
        return ServiceBusMessages.Received(BinaryData.FromString(body), subject, messageId, "ord_1", all, deliveryCount: deliveryCount, enqueuedTime: enqueuedTime);
    }

    /// <summary>The last retry of a message: what the pipeline dead-letters as RetriesExhausted.</summary>
    public static ServiceBusReceivedMessage LastAttempt(string logicalId, string? subscription = null, IDictionary<string, object>? properties = null)
    {
        var all = new Dictionary<string, object>(properties ?? new Dictionary<string, object>(), StringComparer.Ordinal)
        {
            [RetryProperties.Attempt] = 6,
            [RetryProperties.OriginalMessageId] = logicalId,
        };
        if (subscription is not null)
        {
            all[RetryProperties.RetryFor] = subscription;
        }

        return Message(RetryCopy.MessageId(logicalId, subscription, 6), properties: all, deliveryCount: 1);
    }
}
