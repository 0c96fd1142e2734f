using Microsoft.AspNetCore.Http;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Messaging.DeadLetters;

/// <summary>Requests to the dead-letter API as the host hands them to the functions.</summary>
internal static class DeadLetterRequests
{
    public static HttpRequest List(string entity, string? query = null)
    {
        var request = HttpTest.Request("GET", $"/api/ops/dead-letters/{entity}", contentType: null);
        request.QueryString = query is null ? QueryString.Empty : new QueryString(query);
        return request;
    }

    public static HttpRequest Replay(string entity, string sequenceNumber) =>
        HttpTest.Request("POST", $"/api/ops/dead-letters/{entity}/{sequenceNumber}/replay", contentType: null);
}
