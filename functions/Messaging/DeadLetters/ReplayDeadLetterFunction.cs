using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Messaging.DeadLetters;

/// <summary>What was resubmitted: the copy's own id, the logical id handlers see, and where it went.</summary>
public sealed record DeadLetterReplayResponse(
    string Entity,
    long SequenceNumber,
    string MessageId,
    string OriginalMessageId,
    string Destination,
    string? RetryFor,
    int Replay);

/// <summary>
/// <c>POST /api/ops/dead-letters/{entity}/{sequenceNumber}/replay</c> (admin key): resubmits the dead letter to the
/// entity it came from (<see cref="ReplayCopy"/>) and removes it; 404 for an unknown entity or sequence number, 409 while
/// another replay holds it.
/// </summary>
public sealed partial class ReplayDeadLetterFunction(IDeadLetterStore store, ILogger<ReplayDeadLetterFunction> logger)
{
    [Function(nameof(ReplayDeadLetter))]
    public async Task<IActionResult> ReplayDeadLetter(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = DeadLetterRoutes.Replay)] HttpRequest request,
        string entity,
        string sequenceNumber,
        CancellationToken cancellationToken)
    {
        var http = request.HttpContext;
        if (!DeadLetterEntities.TryParse(entity, out var source))
        {
            return DeadLetterProblems.UnknownEntity(http, entity);
        }

        if (!DeadLetterQuery.TryParseSequenceNumber(sequenceNumber, out var number))
        {
            return DeadLetterProblems.UnknownDeadLetter(http, entity, sequenceNumber);
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Entity"] = source.ToString(), ["SequenceNumber"] = number });
        ReplayResult result;
        try
        {
            result = await store.ReplayAsync(source, number, cancellationToken);
        }
        catch (ServiceBusException ex)
        {
            LogServiceBusUnavailable(ex);
            return DeadLetterProblems.ServiceBusUnavailable(http);
        }

        return result switch
        {
            { Status: ReplayStatus.Replayed, Copy: { } copy } => new JsonResponse<DeadLetterReplayResponse>(
                StatusCodes.Status200OK,
                Describe(source, number, copy),
                ShopJsonContext.Default.DeadLetterReplayResponse),
            { Status: ReplayStatus.Locked } => DeadLetterProblems.Locked(http, number),
            _ => DeadLetterProblems.UnknownDeadLetter(http, entity, sequenceNumber),
        };
    }

    private static DeadLetterReplayResponse Describe(ConsumerEntity source, long sequenceNumber, OutgoingMessage copy)
    {
        var properties = copy.ApplicationProperties ?? new Dictionary<string, object>();
        return new DeadLetterReplayResponse(
            DeadLetterEntities.RouteValueOf(source),
            sequenceNumber,
            copy.MessageId,
            properties.GetValueOrDefault(RetryProperties.OriginalMessageId) as string ?? copy.MessageId,
            copy.Destination,
            properties.GetValueOrDefault(RetryProperties.RetryFor) as string,
            properties.GetValueOrDefault(RetryProperties.Replay) as int? ?? 1);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Replaying the dead letter failed")]
    private partial void LogServiceBusUnavailable(Exception exception);
}
