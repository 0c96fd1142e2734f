using System.Globalization;

namespace Shop.Benchmarks.Pipeline;

/// <summary>Command line after <c>pipeline</c>: <c>--orders N --in-flight C --warmup W</c>.</summary>
public static class PipelineOptionsParser
{
    public const string Usage =
        "Usage: dotnet run -c Release --project tests/Shop.Benchmarks -- pipeline [--orders N (1000)] [--in-flight C (8)] [--warmup W (100)]";

    public static PipelineOptions? Parse(string[] args, out string? error)
    {
        var options = new PipelineOptions(1000, 8, 100);
        error = null;
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                error = $"{args[i]} needs a whole number of at least 1.";
                return null;
            }

            switch (args[i])
            {
                case "--orders":
                    options = options with { Orders = value };
                    break;
                case "--in-flight":
                    options = options with { InFlight = value };
                    break;
                case "--warmup":
                    options = options with { Warmup = value };
                    break;
                default:
                    error = $"Unknown option {args[i]}.";
                    return null;
            }
        }

        return options;
    }
}
