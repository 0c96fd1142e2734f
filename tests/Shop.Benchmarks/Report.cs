using System.Runtime.InteropServices;
using static System.FormattableString;

namespace Shop.Benchmarks;

/// <summary>Writes the figures as plain-text tables, with the issue's targets next to them. Never asserts.</summary>
public static class Report
{
    public const double MaxRoundTripsPerOrder = 3;
    /// <summary>Issue 14: the submit within 1.2x of one bare insert (printed, never asserted; docs/performance.md).</summary>
    public const double MaxP50RatioToBareInsert = 1.2;

    public static void Write(TextWriter output, BenchmarkOptions options, string azuriteVersion, SequentialResult sequential, ConcurrentResult concurrent)
    {
        var n = (double)options.Orders;
        var submit = sequential.Submit;
        var backToBack = sequential.SubmitBackToBack;
        var floor = sequential.BareInsert;
        output.WriteLine();
        output.WriteLine("Shop: POST /api/orders, in process (SubmitOrderFunction.SubmitOrder) against Azurite over loopback");
        output.WriteLine(Invariant($"Azurite {azuriteVersion}, {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} CPUs, {options.Orders} orders measured after {options.Warmup} warm-up"));
        output.WriteLine("Service Bus cannot run here: sends go to a counting in-process stand-in that costs nothing.");
        output.WriteLine();

        output.WriteLine("Latency per call (ms)                         p50      p95      p99     mean      max");
        Latency(output, "submit, sequential, storage idle", submit.Latency);
        Latency(output, "submit, sequential, back to back", backToBack.Latency);
        Latency(output, "bare insert (floor), sequential", floor.Latency);
        Latency(output, Invariant($"submit, concurrency {options.Concurrency}"), concurrent.Submit);
        output.WriteLine();

        output.WriteLine("Throughput                                       /s");
        Row(output, "submit, back to back (orders)", Invariant($"{n / backToBack.Seconds:F0}"));
        Row(output, Invariant($"submit, concurrency {options.Concurrency} (orders)"), Invariant($"{n / concurrent.Seconds:F0}"));
        Row(output, "bare insert, sequential (inserts)", Invariant($"{n / floor.Seconds:F0}"));
        output.WriteLine();

        var trips = submit.RoundTrips;
        var perOrder = (trips.Total + submit.Sends) / n;
        var ratio = submit.Latency.P50 / floor.Latency.P50;
        output.WriteLine("Per accepted order, sequential run          measured   target");
        output.WriteLine("(storage idle: each call after the last one's row write behind its 202 ended, as every bare call meets it)");
        Row(output, "Table round trips", Invariant($"{trips.Total / n:F2}"));
        Row(output, "  transactions (POST $batch)", Invariant($"{trips.Transactions / n:F2}"), "0");
        Row(output, "  deletes (DELETE)", Invariant($"{trips.Deletes / n:F2}"), "0");
        Row(output, "  other", Invariant($"{trips.Other / n:F2}"), "2");
        foreach (var (kind, count) in trips.OtherByKind.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            Row(output, "    " + kind, Invariant($"{count / n:F2}"));
        }

        Row(output, "broker sends (stand-in)", Invariant($"{submit.Sends / n:F2}"), "1");
        Row(output, "round trips, Table + broker", Invariant($"{perOrder:F2}"), Invariant($"<= {MaxRoundTripsPerOrder:F0}"), Verdict(perOrder <= MaxRoundTripsPerOrder));
        Row(output, "p50 submit / p50 bare insert", Invariant($"{ratio:F2}x"), Invariant($"<= {MaxP50RatioToBareInsert:F1}x"), Verdict(ratio <= MaxP50RatioToBareInsert));
        Row(output, "  back to back", Invariant($"{backToBack.Latency.P50 / floor.Latency.P50:F2}x"), "", "(the last order's row write shares Azurite's one thread)");
        Row(output, "allocated (KiB)", Invariant($"{submit.AllocatedBytes / n / 1024:F1}"));
        Row(output, "CPU, this process (µs)", Invariant($"{submit.Cpu.TotalMicroseconds / n:F0}"));
        Row(output, "  in the concurrent run", Invariant($"{concurrent.Cpu.TotalMicroseconds / n:F0}"));
        Row(output, "CPU, Azurite node process (µs)", Micros(submit.AzuriteCpu, n));
        Row(output, "  in the concurrent run", Micros(concurrent.AzuriteCpu, n));
        Row(output, "request building, not counted (KiB)", Invariant($"{sequential.RequestBuildingBytes / n / 1024:F1}"));
        output.WriteLine();

        output.WriteLine("Where the time goes, sequential               p50      p99  KiB/call  CPU µs/call  Azurite µs/call");
        Breakdown(output, "submit (function, all of it)", submit);
        Breakdown(output, "bare insert of the order row (floor)", floor);
        Breakdown(output, "bare insert of the entry holding it", sequential.BareHold);
        var own = submit.Latency.P50 - sequential.BareHold.Latency.P50;
        output.WriteLine(Invariant($"  {"the rest of the submit p50",-38}{own,9:F2}   (submit minus its one write made bare)"));
        Breakdown(output, "submit, back to back", backToBack);
        output.WriteLine();

        output.WriteLine(Invariant($"Checks: {submit.Failures + concurrent.NotAccepted} responses other than 202 in the measured submits;"));
        output.WriteLine(Invariant($"        {trips.Failed + concurrent.RoundTrips.Failed} of their Table requests failed or were answered >= 400;"));
        output.WriteLine(Invariant($"        {(concurrent.RoundTrips.Total + concurrent.Sends) / n:F2} round trips per order in the concurrent run."));
    }

    private static void Latency(TextWriter output, string label, LatencyStats stats) =>
        output.WriteLine(Invariant($"  {label,-38}{stats.P50,9:F2}{stats.P95,9:F2}{stats.P99,9:F2}{stats.Mean,9:F2}{stats.Max,9:F2}"));

    private static void Breakdown(TextWriter output, string label, Phase phase)
    {
        var calls = (double)phase.Calls;
        var azurite = phase.AzuriteCpu is { } time ? Invariant($"{time.TotalMicroseconds / calls,17:F0}") : Invariant($"{"n/a",17}");
        output.WriteLine(Invariant(
            $"  {label,-38}{phase.Latency.P50,9:F2}{phase.Latency.P99,9:F2}{phase.AllocatedBytes / calls / 1024,10:F1}{phase.Cpu.TotalMicroseconds / calls,13:F0}{azurite}"));
    }

    private static void Row(TextWriter output, string label, string value, string target = "", string verdict = "") =>
        output.WriteLine(Invariant($"  {label,-38}{value,10}   {target,-7} {verdict}").TrimEnd());

    private static string Micros(TimeSpan? total, double calls) =>
        total is { } time ? Invariant($"{time.TotalMicroseconds / calls:F0}") : "n/a";

    private static string Verdict(bool met) => met ? "met" : "MISSED";
}
