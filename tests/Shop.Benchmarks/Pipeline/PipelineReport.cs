using System.Globalization;
using System.Runtime.InteropServices;

namespace Shop.Benchmarks.Pipeline;

/// <summary>Prints a pipeline run as plain text tables (figures to copy into docs/performance.md).</summary>
public static class PipelineReport
{
    public static void Write(TextWriter output, PipelineOptions options, string azuriteVersion, PipelineResult r, int webhookRequests)
    {
        var n = (double)r.Orders;
        string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);

        output.WriteLine();
        output.WriteLine($"Pipeline benchmark: {r.Orders} orders, {options.InFlight} in flight, warm-up {options.Warmup}");
        output.WriteLine($"Machine: {Environment.ProcessorCount} CPUs visible to .NET, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, Azurite {azuriteVersion}, server GC {System.Runtime.GCSettings.IsServerGC}");
        output.WriteLine($"Orders not completed or not accepted: {r.Failures}");
        output.WriteLine();
        output.WriteLine("| Figure | Value |");
        output.WriteLine("|---|---|");
        output.WriteLine($"| completed orders/s (until the last OrderCompleted was counted) | {F(n / r.UntilLastCompleted.TotalSeconds, "0.0")} |");
        output.WriteLine($"| orders/s including e-mails and webhooks drained | {F(n / r.UntilDrained.TotalSeconds, "0.0")} |");
        output.WriteLine($"| submit latency p50 / p99 (ms) | {F(r.Submit.P50)} / {F(r.Submit.P99)} |");
        output.WriteLine($"| bare Table insert p50 / p99 (ms), same load | {F(r.BareInsert.P50)} / {F(r.BareInsert.P99)} |");
        output.WriteLine($"| submit p50 / bare insert p50 | {F(r.Submit.P50 / r.BareInsert.P50)}x |");
        output.WriteLine($"| Table round trips per order (failed: answered 4xx/5xx) | {F(r.Tables.Total / n)} ({F(r.Tables.Failed / n)}) |");
        output.WriteLine($"| Blob round trips per order | {F(r.Blobs.Total / n)} ({F(r.Blobs.Failed / n)}) |");
        output.WriteLine($"| broker sends accepted per order (duplicates dropped) | {F(r.Broker.Sends / n)} ({F(r.Broker.DuplicatesDropped / n)}) |");
        output.WriteLine($"| broker deliveries per order (completed, abandoned, unsettled, dead-lettered) | {F(r.Broker.Deliveries / n)} ({F(r.Broker.Completed / n)}, {F(r.Broker.Abandoned / n)}, {F(r.Broker.Unsettled / n)}, {F(r.Broker.DeadLettered / n)}) |");
        output.WriteLine($"| webhook POSTs received per order | {F(webhookRequests / (n + options.Warmup))} |");
        output.WriteLine($"| orchestration history events per order | {F(r.HistoryEventsPerOrder, "0.0")} |");
        output.WriteLine($"| allocated per order (KiB), whole process | {F(r.AllocatedBytes / n / 1024, "0.0")} |");
        output.WriteLine($"| CPU per order (ms): .NET / Azurite | {F(r.CpuSelf.TotalMilliseconds / n)} / {F(r.CpuAzurite.TotalMilliseconds / n)} |");
        output.WriteLine($"| GC collections during the run: gen0 / gen2 | {r.Gen0Collections} / {r.Gen2Collections} |");
        output.WriteLine();
        output.WriteLine("Per order, by kind:");
        foreach (var (kind, count) in r.Tables.ByKind.Concat(r.Blobs.ByKind).Where(p => p.Value > 0).OrderByDescending(p => p.Value))
        {
            output.WriteLine($"  {kind,-32} {F(count / n)}");
        }

        output.WriteLine("Time from the previous step to each step, from the order rows (ms): p50 / p99");
        foreach (var (step, stats) in r.StepGaps)
        {
            output.WriteLine($"  {step,-32} {F(stats.P50)} / {F(stats.P99)}");
        }

        output.WriteLine("History events per order, by type:");
        foreach (var (type, count) in r.HistoryByType.OrderByDescending(p => p.Value))
        {
            output.WriteLine($"  {type,-32} {F(count, "0.0")}");
        }
    }
}
