using System.Diagnostics;

namespace Shop.Benchmarks;

/// <summary>
/// One kind of call, measured over one or more runs: per-call latency, and what the runs cost in wall time,
/// Table round trips, broker sends, allocated bytes and CPU.
/// </summary>
public sealed class Phase(BenchmarkServices services, CpuClock cpu)
{
    private readonly List<double> _latencies = [];

    public double Seconds { get; private set; }

    public long AllocatedBytes { get; private set; }

    public TimeSpan Cpu { get; private set; }

    public TimeSpan? AzuriteCpu => cpu.SeesAzurite ? AzuriteCpuSum : null;

    public RoundTrips RoundTrips { get; private set; } = RoundTrips.Zero;

    public long Sends { get; private set; }

    public int Calls => _latencies.Count;

    public int Failures { get; private set; }

    public LatencyStats Latency => LatencyStats.Of(_latencies);

    private TimeSpan AzuriteCpuSum { get; set; }

    /// <summary>
    /// Makes <paramref name="count"/> calls one at a time; <paramref name="call"/> returns false for a failed one.
    /// <paramref name="settle"/>, when given, runs after each call, untimed (its costs count with the phase's).
    /// </summary>
    public async Task RunAsync(int count, Func<int, Task<bool>> call, Func<Task>? settle = null)
    {
        var trips0 = services.Counter.Snapshot();
        var sends0 = services.Sender.Sends;
        var (cpu0, azurite0) = cpu.Read();
        var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var callStart = Stopwatch.GetTimestamp();
            var ok = await call(i);
            _latencies.Add(Stopwatch.GetElapsedTime(callStart).TotalMilliseconds);
            Failures += ok ? 0 : 1;
            if (settle is not null)
            {
                await settle();
            }
        }

        // The outbox deletes that run after each 202 belong to this phase's cost and counts.
        await services.DrainOutboxAsync();
        Seconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
        AllocatedBytes += GC.GetTotalAllocatedBytes(precise: true) - alloc0;
        var (cpu1, azurite1) = cpu.Read();
        Cpu += cpu1 - cpu0;
        AzuriteCpuSum += azurite1 - azurite0;
        Sends += services.Sender.Sends - sends0;
        RoundTrips = RoundTrips.Plus(services.Counter.Snapshot().Minus(trips0));
    }
}
