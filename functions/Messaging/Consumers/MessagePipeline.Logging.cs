using Microsoft.Extensions.Logging;

namespace Shop.Functions.Messaging.Consumers;

// What the pipeline logs, inside a scope that names the order, the message, the attempt and the entity.
public sealed partial class MessagePipeline
{
    private static Dictionary<string, object> ScopeOf(ConsumerEntity entity, MessageContext context)
    {
        var scope = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["MessageId"] = context.MessageId,
            ["Subject"] = context.Subject,
            ["Attempt"] = context.Attempt,
            ["Entity"] = entity.ToString(),
        };
        if (context.CorrelationId is { } orderId)
        {
            scope["OrderId"] = orderId;
        }

        return scope;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Message {MessageId} completed on attempt {Attempt}")]
    private partial void LogCompleted(string messageId, int attempt);

    [LoggerMessage(Message = "Message {MessageId} dead-lettered on attempt {Attempt}: {DeadLetterReason}: {DeadLetterDescription}")]
    private partial void LogDeadLettered(LogLevel level, Exception? exception, string messageId, int attempt, string deadLetterReason, string deadLetterDescription);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Attempt {Attempt} of message {MessageId} failed ({Failure}); attempt {NextAttempt} is scheduled in {Delay} as {RetryMessageId}")]
    private partial void LogRetryScheduled(Exception? exception, int attempt, string messageId, string failure, int nextAttempt, TimeSpan delay, string retryMessageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Attempt {Attempt} of message {MessageId} failed ({Failure}) and its retry could not be scheduled; abandoning it so that Service Bus redelivers it")]
    private partial void LogRetryNotScheduled(Exception exception, int attempt, string messageId, string failure);
}
