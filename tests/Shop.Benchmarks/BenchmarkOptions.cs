using System.Globalization;

namespace Shop.Benchmarks;

/// <summary>Command line: <c>--orders N</c> (default 1000), <c>--concurrency C</c> (default 16), <c>--warmup W</c> (default 200).</summary>
public sealed record BenchmarkOptions(int Orders, int Concurrency, int Warmup)
{
    public const string Usage = "Usage: dotnet run -c Release --project tests/Shop.Benchmarks -- [--orders N] [--concurrency C] [--warmup W]";

    public static BenchmarkOptions? Parse(string[] args, out string? error)
    {
        var options = new BenchmarkOptions(1000, 16, 200);
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                error = $"{name} needs a whole number.";
                return null;
            }

            i++;
            switch (name)
            {
                case "--orders" when value >= 1:
                    options = options with { Orders = value };
                    break;
                case "--concurrency" when value >= 1:
                    options = options with { Concurrency = value };
                    break;
                case "--warmup" when value >= 1:
                    options = options with { Warmup = value };
                    break;
                default:
                    error = $"Unknown option or value out of range: {name} {value}.";
                    return null;
            }
        }

        return options;
    }
}
