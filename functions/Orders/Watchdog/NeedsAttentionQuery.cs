using Microsoft.AspNetCore.Http;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Orders.Watchdog;

/// <summary>The listing's query: <c>max</c> (1 to 100, default 50) and <c>after</c> (the <c>next</c> of the previous page).</summary>
public sealed record NeedsAttentionQuery(int Max, string? After)
{
    /// <summary>The query, or the field errors to answer 400 with.</summary>
    public static (NeedsAttentionQuery? Query, Dictionary<string, string[]>? Errors) Read(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var max = PageSize.Read(query, errors);

        string? after = null;
        if (query.TryGetValue("after", out var afterValues))
        {
            after = afterValues.Count == 1 && OrderIds.IsWellFormed(afterValues[0]) ? afterValues[0] : null;
            if (after is null)
            {
                errors["after"] = ["Must be one order id: the 'next' of the previous page."];
            }
        }

        return errors.Count > 0 ? (null, errors) : (new NeedsAttentionQuery(max, after), null);
    }
}
