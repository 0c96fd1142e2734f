namespace Shop.Benchmarks.Pipeline;

/// <summary>Command line after <c>pipeline</c>: <c>--orders N</c> (1000), <c>--in-flight C</c> (8), <c>--warmup W</c> (100).</summary>
public static class PipelineOptionsParser
{
    public const string Usage =
        "Usage: dotnet run -c Release --project tests/Shop.Benchmarks -- pipeline [--orders N (1000)] [--in-flight C (8)] [--warmup W (100)]";

    public static PipelineOptions? Parse(string[] args, out string? error) =>
        NamedNumbers.Parse(args, new Dictionary<string, int> { ["--orders"] = 1000, ["--in-flight"] = 8, ["--warmup"] = 100 }, out error) is { } values
            ? new PipelineOptions(values["--orders"], values["--in-flight"], values["--warmup"])
            : null;
}
