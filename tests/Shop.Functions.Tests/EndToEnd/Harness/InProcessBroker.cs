using System.Collections.Concurrent;
using System.Threading.Channels;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Polly;
using Shop.Functions.Messaging;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.EndToEnd.Harness;

/// <summary>A message that reached a dead-letter queue, with Service Bus's reason and description.</summary>
public sealed record BrokerDeadLetter(BrokerEntity Entity, OutgoingMessage Message, int DeliveryCount, string? Reason, string? Description);

/// <summary>What the broker did, counted since it started (or since <see cref="InProcessBroker.ResetCounters"/>).</summary>
public sealed record BrokerCounters(long Sends, long DuplicatesDropped, long Deliveries, long Completed, long Abandoned, long Unsettled, long DeadLettered, long SendFaults, long DeliveryFaults);

/// <summary>
/// A TEST HARNESS standing in for Service Bus, which cannot run here. The app sends to it through its own
/// <see cref="IMessageSender"/> seam; it delivers each message to the function whose trigger names the queue or
/// subscription (<see cref="BrokerTopology"/>), with a <see cref="ServiceBusReceivedMessage"/> and a settlement API, as
/// the Functions host does. It keeps the semantics the app relies on:
/// <list type="bullet">
/// <item>duplicate detection: a second send of a MessageId to the same queue or topic within the entity's window is
/// accepted and dropped;</item>
/// <item>scheduled enqueue: a message with <see cref="OutgoingMessage.ScheduledEnqueueTime"/> is delivered then (real time);</item>
/// <item>subscription filters: each subscription gets what its SQL rule matches;</item>
/// <item>settlement: complete ends it; abandon, an exception or no settlement at all redelivers it with DeliveryCount + 1;
/// after MaxDeliveryCount deliveries it is dead-lettered (<c>MaxDeliveryCountExceeded</c>); dead-letter keeps it in
/// <see cref="DeadLetters"/> with its reason.</item>
/// </list>
/// With <see cref="BrokerOptions.DeliverTwice"/> every message is delivered a second time (at-least-once delivery), and
/// chaos pipelines can fail sends and deliveries. Not modelled: sessions, locks' duration, TTL expiry, ordering.
/// </summary>
public sealed class InProcessBroker : IMessageSender, IAsyncDisposable
{
    private const string MaxDeliveryCountExceeded = "MaxDeliveryCountExceeded";

    private readonly BrokerTopology _topology;
    private readonly BrokerOptions _options;
    private readonly Dictionary<string, Channel<Pending>> _channels;
    private readonly ConcurrentDictionary<(string Destination, string MessageId), DateTimeOffset> _seen = new();
    private readonly ConcurrentQueue<BrokerDeadLetter> _deadLetters = new();
    private readonly ConcurrentQueue<(BrokerEntity Entity, OutgoingMessage Message)> _delivered = new();
    private readonly ConcurrentQueue<OutgoingMessage> _sent = new();
    private readonly CancellationTokenSource _lifetime = new();
    private Func<BrokerEntity, ServiceBusReceivedMessage, ServiceBusMessageActions, CancellationToken, Task>? _consumer;
    private CancellationTokenSource? _consumersStop;
    private List<Task> _workers = [];
    private long _sends, _duplicates, _deliveries, _completed, _abandoned, _unsettled, _deadLettered, _sendFaults, _deliveryFaults;
    private long _outstanding, _releasedEarly;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public InProcessBroker(BrokerTopology topology, BrokerOptions? options = null)
    {
        _topology = topology;
        _options = options ?? new BrokerOptions();
        _channels = topology.Entities.ToDictionary(e => e.Path, _ => Channel.CreateUnbounded<Pending>(), StringComparer.Ordinal);
    }

    public BrokerOptions Options => _options;

    /// <summary>Raised after each delivery is settled for good or put back: the entity, the message and the outcome
    /// (null: not settled, so it comes back). Observers must be quick; they run on the delivering thread.</summary>
    public event Action<BrokerEntity, OutgoingMessage, Settlement?>? Settled;

    /// <summary>Every message accepted (not dropped as a duplicate), in the order sent; empty when <see cref="BrokerOptions.KeepLog"/> is off.</summary>
    public IReadOnlyCollection<OutgoingMessage> Sent => _sent;

    /// <summary>Every delivery that a consumer completed, with where; empty when <see cref="BrokerOptions.KeepLog"/> is off.</summary>
    public IReadOnlyCollection<(BrokerEntity Entity, OutgoingMessage Message)> Completed => _delivered;

    public IReadOnlyCollection<BrokerDeadLetter> DeadLetters => _deadLetters;

    /// <summary>Messages accepted and not yet settled for good: queued, scheduled or being handled.</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding);

    public BrokerCounters Counters => new(
        Interlocked.Read(ref _sends), Interlocked.Read(ref _duplicates), Interlocked.Read(ref _deliveries), Interlocked.Read(ref _completed),
        Interlocked.Read(ref _abandoned), Interlocked.Read(ref _unsettled), Interlocked.Read(ref _deadLettered),
        Interlocked.Read(ref _sendFaults), Interlocked.Read(ref _deliveryFaults));

    public void ResetCounters()
    {
        Interlocked.Exchange(ref _sends, 0);
        Interlocked.Exchange(ref _duplicates, 0);
        Interlocked.Exchange(ref _deliveries, 0);
        Interlocked.Exchange(ref _completed, 0);
        Interlocked.Exchange(ref _abandoned, 0);
        Interlocked.Exchange(ref _unsettled, 0);
        Interlocked.Exchange(ref _deadLettered, 0);
        Interlocked.Exchange(ref _sendFaults, 0);
        Interlocked.Exchange(ref _deliveryFaults, 0);
    }

    /// <summary>Starts delivering to <paramref name="consumer"/> (the function behind an entity), <see cref="BrokerOptions.ConcurrencyPerEntity"/> at a time per entity.</summary>
    public void StartConsumers(Func<BrokerEntity, ServiceBusReceivedMessage, ServiceBusMessageActions, CancellationToken, Task> consumer)
    {
        if (_consumersStop is not null)
        {
            throw new InvalidOperationException("The consumers are already running.");
        }

        _consumer = consumer;
        _consumersStop = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        var stop = _consumersStop.Token;
        _workers = [.. from entity in _topology.Entities
                       from worker in Enumerable.Range(0, _options.ConcurrencyPerEntity)
                       select Task.Run(() => ConsumeAsync(entity, stop), CancellationToken.None)];
    }

    /// <summary>
    /// Stops the consumers as a host shutdown does: handlers in flight see their cancellation token cancelled, and what
    /// they did not settle is delivered again (DeliveryCount + 1) once consumers start again. Queued messages wait.
    /// </summary>
    public async Task StopConsumersAsync()
    {
        var stop = _consumersStop ?? throw new InvalidOperationException("The consumers are not running.");
        await stop.CancelAsync();
        await Task.WhenAll(_workers);
        stop.Dispose();
        _consumersStop = null;
    }

    /// <summary>The message a <see cref="BrokerOptions.SendFaults"/> pipeline is deciding about, in its context's properties.</summary>
    public static readonly ResiliencePropertyKey<OutgoingMessage> MessageBeingSent = new("InProcessBroker.Message");

    public async Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_options.SendFaults is { } faults)
        {
            try
            {
                var context = ResilienceContextPool.Shared.Get(cancellationToken);
                context.Properties.Set(MessageBeingSent, message);
                try
                {
                    await faults.ExecuteAsync(static _ => ValueTask.CompletedTask, context);
                }
                finally
                {
                    ResilienceContextPool.Shared.Return(context);
                }
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _sendFaults);
                throw;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var targets = Route(message);
        var now = DateTimeOffset.UtcNow;
        var window = _topology.DuplicateWindows.GetValueOrDefault(message.Destination);
        if (window > TimeSpan.Zero)
        {
            var firstSeen = _seen.GetOrAdd((message.Destination, message.MessageId), now);
            if (firstSeen != now && now - firstSeen < window)
            {
                Interlocked.Increment(ref _duplicates);
                return;
            }

            _seen[(message.Destination, message.MessageId)] = now;
            if (Interlocked.Increment(ref _sends) % 1024 == 0)
            {
                ForgetExpired(now);
            }
        }
        else
        {
            Interlocked.Increment(ref _sends);
        }

        if (_options.KeepLog)
        {
            _sent.Enqueue(message);
        }

        var due = message.ScheduledEnqueueTime is { } at && at > now ? at : now;
        foreach (var entity in targets)
        {
            Enqueue(new Pending(entity, message, 1, due));
            if (_options.DeliverTwice)
            {
                Enqueue(new Pending(entity, message, 1, due, IsDuplicate: true));
            }
        }
    }

    /// <summary>Scheduled messages that <see cref="ReleaseScheduled"/> delivered before their time.</summary>
    public long ReleasedEarly => Interlocked.Read(ref _releasedEarly);

    /// <summary>
    /// How soon a released message is delivered at the latest: not at once, since the app's own clock does not jump with
    /// the broker's, and a copy that comes back before a lease it waits on ends (a webhook delivery claimed by another
    /// copy for <c>Webhooks:DeliveryLease</c>, 3 s in the fault runs) would spend its attempts in a burst.
    /// </summary>
    public static readonly TimeSpan ReleasedWithin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Brings every message scheduled so far forward to at most <see cref="ReleasedWithin"/> from now: a test's jump of
    /// the broker's clock, so that an effect due after the test (a retry's delayed copy, the carrier's dispatch) happens,
    /// and is checked, within it.
    /// </summary>
    public void ReleaseScheduled() =>
        Interlocked.Exchange(ref _release, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// Waits until nothing is queued, scheduled or in flight, or throws when <paramref name="timeout"/> passes. With
    /// <paramref name="releaseScheduled"/>, what is scheduled (now or by the handlers meanwhile) is brought forward
    /// (<see cref="ReleaseScheduled"/>) instead of waited for.
    /// </summary>
    public async Task WhenIdleAsync(TimeSpan timeout, bool releaseScheduled = false)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            if (releaseScheduled)
            {
                ReleaseScheduled();
            }

            var busy = Outstanding;
            if (busy <= 0)
            {
                return;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"The broker still has {busy} messages after {timeout}.");
            }

            await Task.Delay(20);
        }
    }

    private IReadOnlyList<BrokerEntity> Route(OutgoingMessage message)
    {
        if (_topology.Topics.Contains(message.Destination))
        {
            return [.. _topology.Entities.Where(e => e.Destination == message.Destination && e.Subscription is not null && e.Filter.Matches(message))];
        }

        var queue = _topology.Entities.FirstOrDefault(e => e.Path == message.Destination);
        return queue is null
            ? throw new ServiceBusException($"The messaging entity '{message.Destination}' could not be found.", ServiceBusFailureReason.MessagingEntityNotFound)
            : [queue];
    }

    private void Enqueue(Pending pending)
    {
        Interlocked.Increment(ref _outstanding);
        var delay = pending.Due - DateTimeOffset.UtcNow;
        if (delay <= TimeSpan.Zero)
        {
            _channels[pending.Entity.Path].Writer.TryWrite(pending);
            return;
        }

        _ = DeliverWhenDueAsync(pending, delay, Volatile.Read(ref _release).Task);
    }

    /// <summary>Delivers at its time or, once released, at most <see cref="ReleasedWithin"/> after the release.</summary>
    private async Task DeliverWhenDueAsync(Pending pending, TimeSpan delay, Task release)
    {
        try
        {
            if (await Task.WhenAny(Task.Delay(delay, _lifetime.Token), release) == release)
            {
                var rest = pending.Due - DateTimeOffset.UtcNow;
                if (rest > ReleasedWithin)
                {
                    Interlocked.Increment(ref _releasedEarly);
                    rest = ReleasedWithin;
                }

                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, _lifetime.Token);
                }
            }

            if (!_lifetime.IsCancellationRequested)
            {
                _channels[pending.Entity.Path].Writer.TryWrite(pending);
            }
        }
        catch (OperationCanceledException)
        {
            // The broker stopped: nothing is delivered any more.
        }
    }

    private async Task ConsumeAsync(BrokerEntity entity, CancellationToken stop)
    {
        var reader = _channels[entity.Path].Reader;
        try
        {
            while (await reader.WaitToReadAsync(stop))
            {
                if (reader.TryRead(out var pending))
                {
                    await DeliverAsync(pending, stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(Pending pending, CancellationToken stop)
    {
        Interlocked.Increment(ref _deliveries);
        var received = ServiceBusMessages.Received(pending.Message, pending.DeliveryCount, pending.Due);
        var settlement = new BrokerSettlement();
        try
        {
            if (_options.DeliveryFaults is { } faults)
            {
                await faults.ExecuteAsync(static _ => ValueTask.CompletedTask, stop);
            }

            await _consumer!(pending.Entity, received, settlement, stop);
        }
        catch (Exception) when (settlement.Outcome is null)
        {
            // As in the Functions host with autoCompleteMessages off: an unsettled message's lock expires and it comes back.
            if (!stop.IsCancellationRequested && _options.DeliveryFaults is not null)
            {
                Interlocked.Increment(ref _deliveryFaults);
            }
        }
        catch (Exception)
        {
            // Settled, then threw: the settlement stands.
        }

        switch (settlement.Outcome)
        {
            case Settlement.Completed:
                Interlocked.Increment(ref _completed);
                if (_options.KeepLog && !pending.IsDuplicate)
                {
                    _delivered.Enqueue((pending.Entity, pending.Message));
                }

                break;
            case Settlement.DeadLettered:
                DeadLetter(pending, settlement.DeadLetterReason, settlement.DeadLetterDescription);
                break;
            default:
                Interlocked.Increment(ref settlement.Outcome == Settlement.Abandoned ? ref _abandoned : ref _unsettled);
                if (pending.DeliveryCount >= pending.Entity.MaxDeliveryCount)
                {
                    DeadLetter(pending, MaxDeliveryCountExceeded, $"Delivered {pending.DeliveryCount} times without being completed.");
                }
                else
                {
                    Enqueue(pending with { DeliveryCount = pending.DeliveryCount + 1, Due = DateTimeOffset.UtcNow + _options.RedeliveryDelay });
                }

                break;
        }

        Settled?.Invoke(pending.Entity, pending.Message, settlement.Outcome);
        Interlocked.Decrement(ref _outstanding);
    }

    private void DeadLetter(Pending pending, string? reason, string? description)
    {
        Interlocked.Increment(ref _deadLettered);
        _deadLetters.Enqueue(new BrokerDeadLetter(pending.Entity, pending.Message, pending.DeliveryCount, reason, description));
    }

    private void ForgetExpired(DateTimeOffset now)
    {
        foreach (var (key, seen) in _seen)
        {
            if (now - seen >= _topology.DuplicateWindows.GetValueOrDefault(key.Destination))
            {
                _seen.TryRemove(key, out _);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync();
        await Task.WhenAll(_workers);
        _consumersStop?.Dispose();
        _lifetime.Dispose();
    }

    private sealed record Pending(BrokerEntity Entity, OutgoingMessage Message, int DeliveryCount, DateTimeOffset Due, bool IsDuplicate = false);
}

/// <summary>How the <see cref="InProcessBroker"/> behaves.</summary>
public sealed class BrokerOptions
{
    /// <summary>Deliver every accepted message twice (at-least-once delivery at its worst).</summary>
    public bool DeliverTwice { get; init; }

    /// <summary>Deliveries handled at once per queue or subscription (host.json's maxConcurrentCalls per instance).</summary>
    public int ConcurrencyPerEntity { get; init; } = 4;

    /// <summary>How long an abandoned or unsettled message waits before it is delivered again (its lock expiring).</summary>
    public TimeSpan RedeliveryDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Keep every sent and completed message for assertions; off in long runs, where counters suffice.</summary>
    public bool KeepLog { get; init; } = true;

    /// <summary>A Polly pipeline (chaos strategies) run before each send is accepted: a fault it throws is the send's failure.</summary>
    public ResiliencePipeline? SendFaults { get; init; }

    /// <summary>A Polly pipeline run before each delivery reaches its consumer: a fault is a delivery lost before handling.</summary>
    public ResiliencePipeline? DeliveryFaults { get; init; }
}
