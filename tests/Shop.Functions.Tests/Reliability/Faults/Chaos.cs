using Azure;
using Azure.Messaging.ServiceBus;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Polly.Simmy.Latency;

namespace Shop.Functions.Tests.Reliability.Faults;

/// <summary>
/// The faults of one run: Polly chaos pipelines for storage, broker sends and deliveries, all drawing from one seeded
/// random source and all switched by <see cref="Enabled"/>, with a count of what each injected.
/// </summary>
public sealed class Chaos
{
    private readonly Random _random;
    private readonly Lock _lock = new();
    private bool _enabled;
    private long _storageFaults, _storageLostResponses, _sendFaults, _deliveryFaults, _latencies, _receiverFaults;

    public Chaos(int seed, double faultRate = 0.1, double latencyRate = 0.1)
    {
        _random = new Random(seed);
        FaultRate = faultRate;
        LatencyRate = latencyRate;
        StorageBefore = Faults(faultRate / 2, () => new RequestFailedException(503, "Chaos: the storage service is busy.", "ServerBusy", null), () => Interlocked.Increment(ref _storageFaults));
        StorageAfter = Faults(faultRate / 2, () => new RequestFailedException(0, "Chaos: the connection was reset after the request was sent; the response is lost.", new IOException("Connection reset by peer")), () => Interlocked.Increment(ref _storageLostResponses));
        Sends = Faults(faultRate, () => new ServiceBusException("Chaos: Service Bus is busy.", ServiceBusFailureReason.ServiceBusy), () => Interlocked.Increment(ref _sendFaults));
        Deliveries = Faults(faultRate, () => new ServiceBusException("Chaos: the message lock was lost.", ServiceBusFailureReason.MessageLockLost), () => Interlocked.Increment(ref _deliveryFaults));
    }

    /// <summary>Read by every chaos strategy at each call: off during setup and while the run drains.</summary>
    public bool Enabled
    {
        get => Volatile.Read(ref _enabled);
        set => Volatile.Write(ref _enabled, value);
    }

    public double FaultRate { get; }

    public double LatencyRate { get; }

    /// <summary>Storage: latency, or a 503 before the request is sent.</summary>
    public ResiliencePipeline StorageBefore { get; }

    /// <summary>Storage: the request was carried out but its response is lost (the client sees a network error).</summary>
    public ResiliencePipeline StorageAfter { get; }

    public ResiliencePipeline Sends { get; }

    public ResiliencePipeline Deliveries { get; }

    public long StorageFaults => Interlocked.Read(ref _storageFaults);

    public long StorageLostResponses => Interlocked.Read(ref _storageLostResponses);

    public long SendFaults => Interlocked.Read(ref _sendFaults);

    public long DeliveryFaults => Interlocked.Read(ref _deliveryFaults);

    public long Latencies => Interlocked.Read(ref _latencies);

    public long ReceiverFaults => Interlocked.Read(ref _receiverFaults);

    public double Next()
    {
        lock (_lock)
        {
            return _random.NextDouble();
        }
    }

    /// <summary>True for about <see cref="FaultRate"/> of calls while enabled: the webhook receiver answers 500 then.</summary>
    public bool ReceiverFails()
    {
        if (!Enabled || Next() >= FaultRate)
        {
            return false;
        }

        Interlocked.Increment(ref _receiverFaults);
        return true;
    }

    private ResiliencePipeline Faults(double rate, Func<Exception> fault, Action injected) => new ResiliencePipelineBuilder()
        .AddChaosLatency(new ChaosLatencyStrategyOptions
        {
            InjectionRate = LatencyRate,
            EnabledGenerator = _ => ValueTask.FromResult(Enabled),
            Randomizer = Next,
            LatencyGenerator = _ => ValueTask.FromResult(TimeSpan.FromMilliseconds(50 + (150 * Next()))),
            OnLatencyInjected = _ =>
            {
                Interlocked.Increment(ref _latencies);
                return ValueTask.CompletedTask;
            },
        })
        .AddChaosFault(new ChaosFaultStrategyOptions
        {
            InjectionRate = rate,
            EnabledGenerator = _ => ValueTask.FromResult(Enabled),
            Randomizer = Next,
            FaultGenerator = _ => ValueTask.FromResult<Exception?>(fault()),
            OnFaultInjected = _ =>
            {
                injected();
                return ValueTask.CompletedTask;
            },
        })
        .Build();
}
