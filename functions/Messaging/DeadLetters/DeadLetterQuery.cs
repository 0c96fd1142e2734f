using System.Globalization;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Messaging.DeadLetters;

/// <summary>The listing's query: <c>max</c> (1 to 100, default 50) and <c>from</c> (a sequence number to start at).</summary>
public sealed record DeadLetterQuery(int Max, long? From)
{
    /// <summary>The query, or the field errors to answer 400 with.</summary>
    public static (DeadLetterQuery? Query, Dictionary<string, string[]>? Errors) Read(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var max = PageSize.Read(query, errors);

        long? from = null;
        if (query.TryGetValue("from", out var fromValues))
        {
            from = fromValues.Count == 1 && TryParseSequenceNumber(fromValues[0], out var start) ? start : null;
            if (from is null)
            {
                errors["from"] = ["Must be one sequence number (a whole number, 0 or more)."];
            }
        }

        return errors.Count > 0 ? (null, errors) : (new DeadLetterQuery(max, from), null);
    }

    public static bool TryParseSequenceNumber(string? value, out long sequenceNumber) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out sequenceNumber);
}
