using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Shop.Functions.Platform.Http;

/// <summary>The <c>max</c> query parameter of the ops listings: one whole number from 1 to <see cref="Largest"/>.</summary>
public static class PageSize
{
    public const int Default = 50;
    public const int Largest = 100;

    /// <summary>The page size asked for (<see cref="Default"/> when absent); a bad value adds a field error and answers the default.</summary>
    public static int Read(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(errors);
        if (!query.TryGetValue("max", out var values))
        {
            return Default;
        }

        if (values.Count == 1 && int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max is >= 1 and <= Largest)
        {
            return max;
        }

        errors["max"] = [$"Must be one whole number from 1 to {Largest}."];
        return Default;
    }
}
