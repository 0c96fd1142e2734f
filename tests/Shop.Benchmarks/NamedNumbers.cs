using System.Globalization;

namespace Shop.Benchmarks;

/// <summary>Command lines of the form <c>--name N --other M</c>: whole numbers of at least 1, each name known in advance.</summary>
public static class NamedNumbers
{
    /// <summary>The known names with their defaults, overridden by <paramref name="args"/>; null with <paramref name="error"/> set when they do not parse.</summary>
    public static Dictionary<string, int>? Parse(string[] args, IReadOnlyDictionary<string, int> defaults, out string? error)
    {
        var values = new Dictionary<string, int>(defaults, StringComparer.Ordinal);
        error = null;
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!values.ContainsKey(args[i]))
            {
                error = $"Unknown option {args[i]}.";
                return null;
            }

            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                error = $"{args[i]} needs a whole number of at least 1.";
                return null;
            }

            values[args[i]] = value;
        }

        return values;
    }
}
