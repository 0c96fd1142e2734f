using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Messaging.DeadLetters;

/// <summary>
/// Dead letters on Service Bus, through the app's one <see cref="ServiceBusClient"/> and a receiver on the entity's
/// dead-letter sub-queue. Listing peeks: no locks, nothing changes. A replay peeks at the sequence number first (one that
/// is not there is answered without locking anything), then receives in peek-lock mode until it holds that message,
/// keeping the messages in front of it locked so that they are not received again, and abandons them afterwards.
/// Deferring them instead would change them for good: a deferred message can only be received by its sequence number.
/// Each abandon adds one to a dead letter's delivery count, which in a dead-letter queue changes nothing but the listing.
/// </summary>
public sealed partial class ServiceBusDeadLetterStore(ServiceBusClient client, IMessageSender sender, ILogger<ServiceBusDeadLetterStore> logger)
    : IDeadLetterStore
{
    /// <summary>A replay holds at most this many messages while it looks for one; beyond that it answers <see cref="ReplayStatus.Locked"/>.</summary>
    internal const int MaxHeld = 500;

    internal const int ReceiveBatchSize = 50;

    internal static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(2);

    public async Task<IReadOnlyList<DeadLetter>> PeekAsync(ConsumerEntity entity, long? fromSequenceNumber, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        await using var receiver = CreateReceiver(entity);
        var found = new List<DeadLetter>(max);
        var from = fromSequenceNumber;
        while (found.Count < max)
        {
            // A peek may answer fewer messages than asked for while more exist: ask again until one comes back empty.
            var batch = await receiver.PeekMessagesAsync(max - found.Count, from, cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            found.AddRange(batch.Select(DeadLetter.From));
            from = batch[^1].SequenceNumber + 1;
        }

        return found;
    }

    public async Task<ReplayResult> ReplayAsync(ConsumerEntity entity, long sequenceNumber, CancellationToken cancellationToken)
    {
        await using var receiver = CreateReceiver(entity);
        var peeked = await receiver.PeekMessageAsync(sequenceNumber, cancellationToken);
        if (peeked?.SequenceNumber != sequenceNumber)
        {
            return ReplayResult.NotFound;
        }

        var held = new List<ServiceBusReceivedMessage>();
        try
        {
            var deadLetter = await ReceiveAsync(receiver, sequenceNumber, held, cancellationToken);
            if (deadLetter is null)
            {
                LogNotReceived(sequenceNumber, entity.ToString(), held.Count);
                return ReplayResult.Locked;
            }

            // Until it is completed, the dead letter is abandoned with the others when anything fails.
            held.Add(deadLetter);
            var copy = ReplayCopy.Create(entity, deadLetter);
            using var scope = logger.BeginScope(new Dictionary<string, object>
            {
                ["OrderId"] = deadLetter.CorrelationId ?? string.Empty,
                ["MessageId"] = RetryProperties.LogicalMessageIdOf(deadLetter),
            });
            await sender.SendAsync(copy, cancellationToken);
            await receiver.CompleteMessageAsync(deadLetter, CancellationToken.None);
            held.Remove(deadLetter);
            LogReplayed(sequenceNumber, entity.ToString(), copy.MessageId, copy.Destination);
            return ReplayResult.Replayed(copy);
        }
        finally
        {
            await AbandonAsync(receiver, held);
        }
    }

    /// <summary>Receives until the message with the sequence number comes; the others received meanwhile go to <paramref name="held"/>.</summary>
    private static async Task<ServiceBusReceivedMessage?> ReceiveAsync(
        ServiceBusReceiver receiver, long sequenceNumber, List<ServiceBusReceivedMessage> held, CancellationToken cancellationToken)
    {
        while (held.Count < MaxHeld)
        {
            var batch = await receiver.ReceiveMessagesAsync(Math.Min(ReceiveBatchSize, MaxHeld - held.Count), ReceiveWait, cancellationToken);
            if (batch.Count == 0)
            {
                return null;
            }

            var found = batch.FirstOrDefault(message => message.SequenceNumber == sequenceNumber);
            held.AddRange(batch.Where(message => !ReferenceEquals(message, found)));
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    private async Task AbandonAsync(ServiceBusReceiver receiver, List<ServiceBusReceivedMessage> held) =>
        await Task.WhenAll(held.Select(async message =>
        {
            try
            {
                await receiver.AbandonMessageAsync(message, null, CancellationToken.None);
            }
            catch (ServiceBusException ex)
            {
                // Its lock expires on its own; it is then visible again.
                LogAbandonFailed(ex, message.SequenceNumber);
            }
        }));

    private ServiceBusReceiver CreateReceiver(ConsumerEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var options = new ServiceBusReceiverOptions
        {
            SubQueue = SubQueue.DeadLetter,
            ReceiveMode = ServiceBusReceiveMode.PeekLock,
            PrefetchCount = 0,
        };
        return entity.Subscription is { } subscription
            ? client.CreateReceiver(entity.EntityPath, subscription, options)
            : client.CreateReceiver(entity.EntityPath, options);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead letter {SequenceNumber} of {Entity} replayed as {ReplayMessageId} to {Destination}")]
    private partial void LogReplayed(long sequenceNumber, string entity, string replayMessageId, string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter {SequenceNumber} of {Entity} exists but was not received among {Held} messages; it is locked by another receiver")]
    private partial void LogNotReceived(long sequenceNumber, string entity, int held);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter {SequenceNumber} could not be abandoned; it stays invisible until its lock expires")]
    private partial void LogAbandonFailed(Exception exception, long sequenceNumber);
}
