namespace Shop.Benchmarks;

/// <summary>Command line: <c>--orders N</c> (default 1000), <c>--concurrency C</c> (default 16), <c>--warmup W</c> (default 200).</summary>
public sealed record BenchmarkOptions(int Orders, int Concurrency, int Warmup)
{
    public const string Usage = "Usage: dotnet run -c Release --project tests/Shop.Benchmarks -- [--orders N] [--concurrency C] [--warmup W]";

    public static BenchmarkOptions? Parse(string[] args, out string? error) =>
        NamedNumbers.Parse(args, new Dictionary<string, int> { ["--orders"] = 1000, ["--concurrency"] = 16, ["--warmup"] = 200 }, out error) is { } values
            ? new BenchmarkOptions(values["--orders"], values["--concurrency"], values["--warmup"])
            : null;
}
