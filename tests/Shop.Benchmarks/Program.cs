using System.Reflection;
using System.Text.Json;
using Shop.Benchmarks.Pipeline;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Benchmarks;

/// <summary>
/// Measures, in process against a real Azurite, either the order submit path (default: latency, throughput, round
/// trips, allocations and CPU per order, next to the floor of a bare Table insert) or, with <c>pipeline</c>, whole
/// orders through the whole app, with <c>outbox</c>, the sweep and drain, or with <c>own-work</c>, the submit against
/// storage that answers at once. Prints figures; asserts nothing.
/// </summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.FirstOrDefault() == "pipeline")
        {
            var pipeline = PipelineOptionsParser.Parse(args[1..], out var problem);
            if (pipeline is null)
            {
                await Console.Error.WriteLineAsync(problem);
                await Console.Error.WriteLineAsync(PipelineOptionsParser.Usage);
                return 2;
            }

            var directory = AzuriteDirectory();
            return await PipelineBenchmark.RunAsync(pipeline, directory, AzuriteVersion(directory));
        }

        if (args.FirstOrDefault() == "outbox")
        {
            var outbox = OutboxBenchmarkOptions.Parse(args[1..], out var outboxProblem);
            if (outbox is null)
            {
                await Console.Error.WriteLineAsync(outboxProblem);
                await Console.Error.WriteLineAsync(OutboxBenchmarkOptions.Usage);
                return 2;
            }

            var outboxDirectory = AzuriteDirectory();
            return await OutboxBenchmark.RunAsync(outbox, outboxDirectory, AzuriteVersion(outboxDirectory));
        }

        if (args.FirstOrDefault() == "own-work")
        {
            var ownWork = NamedNumbers.Parse(args[1..], new Dictionary<string, int> { ["--orders"] = 5000 }, out var ownWorkProblem);
            if (ownWork is null)
            {
                await Console.Error.WriteLineAsync(ownWorkProblem);
                await Console.Error.WriteLineAsync(OwnWorkBenchmark.Usage);
                return 2;
            }

            return await OwnWorkBenchmark.RunAsync(ownWork["--orders"]);
        }

        var options = BenchmarkOptions.Parse(args, out var error);
        if (options is null)
        {
            await Console.Error.WriteLineAsync(error);
            await Console.Error.WriteLineAsync(BenchmarkOptions.Usage);
            return 2;
        }

        var azuriteDirectory = AzuriteDirectory();
        Console.WriteLine($"Starting Azurite from {azuriteDirectory} ...");
        await using var azurite = await AzuriteServer.StartAsync(azuriteDirectory);
        await using var services = await BenchmarkServices.StartAsync(azurite.ConnectionString);
        using var cpu = new CpuClock();
        var benchmark = new SubmitBenchmark(services, cpu);

        Console.WriteLine($"Warming up: {options.Warmup} orders, {options.Warmup} of each bare Table call, a concurrent burst ...");
        var warmUpFailures = await benchmark.WarmUpAsync(options.Warmup, options.Concurrency);
        if (warmUpFailures > 0)
        {
            Console.WriteLine($"Warning: {warmUpFailures} warm-up submissions were not answered 202.");
        }

        Console.WriteLine($"Measuring: {options.Orders} orders one at a time, in blocks alternating with {options.Orders} of each bare Table call ...");
        var sequential = await benchmark.RunSequentialAsync(options.Orders);
        Console.WriteLine($"Measuring: {options.Orders} orders at concurrency {options.Concurrency} ...");
        var concurrent = await benchmark.RunConcurrentAsync(options.Orders, options.Concurrency);

        Report.Write(Console.Out, options, AzuriteVersion(azuriteDirectory), sequential, concurrent);
        return 0;
    }

    /// <summary>The tests/azurite folder, from the [AssemblyMetadata("AzuriteDirectory")] the project file emits.</summary>
    private static string AzuriteDirectory() =>
        typeof(BenchmarkProgram).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "AzuriteDirectory")?.Value
        ?? throw new InvalidOperationException("The benchmark assembly has no [AssemblyMetadata(\"AzuriteDirectory\", ...)].");

    private static string AzuriteVersion(string azuriteDirectory)
    {
        var path = Path.Combine(azuriteDirectory, "node_modules", "azurite", "package.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.TryGetProperty("version", out var version) ? version.GetString() ?? "?" : "?";
    }
}
