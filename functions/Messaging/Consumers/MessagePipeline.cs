using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Platform;

namespace Shop.Functions.Messaging.Consumers;

/// <summary>
/// The one piece of code that settles every consumed message (docs/architecture.md, "Rules every consumer follows";
/// docs/messaging.md): completes it, dead-letters it at once when no retry can help, or, on a transient failure,
/// schedules a copy as the next attempt after a growing delay and completes the original.
/// </summary>
public sealed partial class MessagePipeline
{
    private const int MaxDescriptionLength = 1024;

    // Settlement calls get CancellationToken.None: they commit a decision already made, which a shutdown that
    // begins a moment later should not undo (the message would only be handled again).

    private readonly IMessageSender _sender;
    private readonly ConsumerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<MessagePipeline> _logger;
    private readonly Random _random;

    public MessagePipeline(IMessageSender sender, IOptions<ConsumerOptions> options, TimeProvider time, ILogger<MessagePipeline> logger)
        : this(sender, options, time, logger, Random.Shared)
    {
    }

    /// <summary>Tests pass a <see cref="Random"/> whose jitter they know.</summary>
    internal MessagePipeline(IMessageSender sender, IOptions<ConsumerOptions> options, TimeProvider time, ILogger<MessagePipeline> logger, Random random)
    {
        _sender = sender;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _random = random;
    }

    /// <summary>
    /// Reads <paramref name="message"/>, lets <paramref name="handler"/> decide, and settles. When the host shuts down
    /// (<paramref name="cancellationToken"/> cancelled) during the handler or the retry send, nothing is settled: the
    /// exception propagates and the lock expires, so Service Bus delivers the message again.
    /// </summary>
    public Task ProcessAsync<T>(
        ConsumerEntity entity,
        ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        IMessageHandler<T> handler,
        CancellationToken cancellationToken)
        where T : class =>
        ProcessAsync(entity, message, actions, handler, null, cancellationToken);

    /// <inheritdoc cref="ProcessAsync{T}(ConsumerEntity, ServiceBusReceivedMessage, ServiceBusMessageActions, IMessageHandler{T}, CancellationToken)"/>
    /// <param name="schedule">This consumer's own retry schedule; null for the app's (<see cref="ConsumerOptions"/>).</param>
    public async Task ProcessAsync<T>(
        ConsumerEntity entity,
        ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        IMessageHandler<T> handler,
        ConsumerOptions? schedule,
        CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(handler);

        var retries = schedule ?? _options;
        var context = new MessageContext(
            RetryProperties.LogicalMessageIdOf(message),
            message.Subject ?? string.Empty,
            message.CorrelationId,
            RetryProperties.AttemptOf(message),
            message.EnqueuedTime,
            retries.MaxAttempts);
        using var span = MessageTrace.StartConsumer(entity, message);
        using var scope = _logger.BeginScope(ScopeOf(entity, context));

        if (message.Subject is null || !handler.Subjects.Contains(message.Subject))
        {
            var subject = message.Subject is null ? "No Subject" : $"Subject '{message.Subject}'";
            await DeadLetterAsync(entity, actions, message, context, DeadLetterReasons.UnknownMessageType,
                $"{subject}: {entity} accepts only {string.Join(", ", handler.Subjects)}.");
            return;
        }

        if (!MessageBody.TryRead(message.Body, handler.TypeInfo, out var body, out var problem))
        {
            await DeadLetterAsync(entity, actions, message, context, DeadLetterReasons.MalformedMessage, problem);
            return;
        }

        MessageOutcome outcome;
        try
        {
            outcome = await handler.HandleAsync(body, context, cancellationToken)
                ?? throw new InvalidOperationException($"{handler.GetType().Name} returned no outcome.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await RetryLaterAsync(entity, message, actions, context, retries, new Failure(ex, $"{ex.GetType().FullName}: {ex.Message}"), cancellationToken);
            return;
        }

        switch (outcome)
        {
            case MessageOutcome.Rejection rejection:
                await DeadLetterAsync(entity, actions, message, context, rejection.Reason, rejection.Description);
                break;
            case MessageOutcome.Postponement postponement:
                await RetryLaterAsync(entity, message, actions, context, retries, new Failure(null, postponement.Reason), cancellationToken);
                break;
            case MessageOutcome.Completion:
                await actions.CompleteMessageAsync(message, CancellationToken.None);
                LogCompleted(context.MessageId, context.Attempt);
                break;
            default:
                throw new UnreachableException($"Unknown outcome {outcome}.");
        }
    }

    private async Task RetryLaterAsync(
        ConsumerEntity entity,
        ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        MessageContext context,
        ConsumerOptions retries,
        Failure failure,
        CancellationToken cancellationToken)
    {
        if (context.IsLastAttempt)
        {
            await DeadLetterAsync(entity, actions, message, context, DeadLetterReasons.RetriesExhausted,
                $"Failed {context.Attempt} attempts; the last with {failure.Description}", failure.Error);
            return;
        }

        var delay = retries.JitteredDelayAfter(context.Attempt, _random);
        var copy = RetryCopy.Create(entity, message, context, _time.GetUtcNow() + delay);
        try
        {
            await _sender.SendAsync(copy, cancellationToken);
        }
        catch (Exception sendError) when (!cancellationToken.IsCancellationRequested)
        {
            // Losing the message is worse than retrying it early: Service Bus redelivers it, bounded by MaxDeliveryCount.
            LogRetryNotScheduled(sendError, context.Attempt, context.MessageId, failure.Description);
            await actions.AbandonMessageAsync(message, null, CancellationToken.None);
            return;
        }

        LogRetryScheduled(failure.Error, context.Attempt, context.MessageId, failure.Description, context.Attempt + 1, delay, copy.MessageId);
        await actions.CompleteMessageAsync(message, CancellationToken.None);
    }

    private async Task DeadLetterAsync(
        ConsumerEntity entity,
        ServiceBusMessageActions actions,
        ServiceBusReceivedMessage message,
        MessageContext context,
        string reason,
        string description,
        Exception? error = null)
    {
        var shortened = description.Length <= MaxDescriptionLength ? description : description[..(MaxDescriptionLength - 3)] + "...";
        await actions.DeadLetterMessageAsync(message, null, reason, shortened, CancellationToken.None);
        ShopMetrics.MessageDeadLettered(entity.ToString(), reason);
        LogDeadLettered(error is null ? LogLevel.Warning : LogLevel.Error, error, context.MessageId, context.Attempt, reason, shortened);
    }

    /// <summary>Why an attempt failed: an exception, or a handler's <see cref="MessageOutcome.Postponement"/>.</summary>
    private sealed record Failure(Exception? Error, string Description);
}
