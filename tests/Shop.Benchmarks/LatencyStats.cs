namespace Shop.Benchmarks;

/// <summary>Percentiles (nearest rank) of a set of latencies, in milliseconds.</summary>
public sealed record LatencyStats(int Count, double P50, double P95, double P99, double Mean, double Max)
{
    public static LatencyStats Of(IReadOnlyCollection<double> milliseconds)
    {
        if (milliseconds.Count == 0)
        {
            return new LatencyStats(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var sorted = milliseconds.Order().ToArray();
        return new LatencyStats(sorted.Length, Rank(sorted, 50), Rank(sorted, 95), Rank(sorted, 99), sorted.Average(), sorted[^1]);
    }

    private static double Rank(double[] sorted, double percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
