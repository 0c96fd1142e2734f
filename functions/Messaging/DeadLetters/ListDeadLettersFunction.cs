using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Messaging.DeadLetters;

/// <summary>
/// One page of dead letters. <see cref="Path"/> is Service Bus's name of the entity; <see cref="Next"/>, when set, is the
/// <c>from</c> of the next page.
/// </summary>
public sealed record DeadLetterListResponse(string Entity, string Path, IReadOnlyList<DeadLetter> Messages, long? Next);

/// <summary>
/// <c>GET /api/ops/dead-letters/{entity}?max=&amp;from=</c> (admin key): the dead letters of a queue
/// (<c>place-order</c>) or a subscription (<c>order-events~catalog</c>), oldest first; 404 for any other entity.
/// </summary>
public sealed partial class ListDeadLettersFunction(IDeadLetterStore store, ILogger<ListDeadLettersFunction> logger)
{
    [Function(nameof(ListDeadLetters))]
    public async Task<IActionResult> ListDeadLetters(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = DeadLetterRoutes.List)] HttpRequest request,
        string entity,
        CancellationToken cancellationToken)
    {
        var http = request.HttpContext;
        if (!DeadLetterEntities.TryParse(entity, out var source))
        {
            return DeadLetterProblems.UnknownEntity(http, entity);
        }

        var (query, errors) = DeadLetterQuery.Read(request.Query);
        if (query is null)
        {
            return Problems.Validation(http, errors!);
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Entity"] = source.ToString() });
        IReadOnlyList<DeadLetter> messages;
        try
        {
            messages = await store.PeekAsync(source, query.From, query.Max, cancellationToken);
        }
        catch (ServiceBusException ex)
        {
            LogServiceBusUnavailable(ex);
            return DeadLetterProblems.ServiceBusUnavailable(http);
        }

        var next = messages.Count == query.Max ? messages[^1].SequenceNumber + 1 : (long?)null;
        var body = new DeadLetterListResponse(DeadLetterEntities.RouteValueOf(source), source.ToString(), messages, next);
        return new JsonResponse<DeadLetterListResponse>(StatusCodes.Status200OK, body, ShopJsonContext.Default.DeadLetterListResponse)
            .WithHeader("Cache-Control", "no-store");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Listing dead letters failed")]
    private partial void LogServiceBusUnavailable(Exception exception);
}
