using System.Globalization;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Messaging.DeadLetters;

/// <summary>The problem answers of the dead-letter API.</summary>
internal static class DeadLetterProblems
{
    /// <summary>About a lock's duration: by then a concurrent replay has finished, or its locks have expired.</summary>
    private const int LockedRetryAfterSeconds = 30;

    public static JsonResponse<Problem> UnknownEntity(HttpContext http, string entity) =>
        Problems.NotFound(
            http,
            $"'{entity}' is not a queue or subscription of the app. Known: {string.Join(", ", DeadLetterEntities.All.Select(DeadLetterEntities.RouteValueOf))}.");

    public static JsonResponse<Problem> UnknownDeadLetter(HttpContext http, string entity, string sequenceNumber) =>
        Problems.NotFound(http, $"{entity} has no dead letter with sequence number '{sequenceNumber}'.");

    public static JsonResponse<Problem> Locked(HttpContext http, long sequenceNumber) =>
        Problems.Create(
                http,
                StatusCodes.Status409Conflict,
                ProblemTypes.DeadLetterLocked,
                "The dead letter is locked.",
                $"Dead letter {sequenceNumber} is held by another receiver (a replay running at the same time). Try again later.")
            .WithHeader("Retry-After", LockedRetryAfterSeconds.ToString(CultureInfo.InvariantCulture));

    public static JsonResponse<Problem> ServiceBusUnavailable(HttpContext http) =>
        Problems.ServiceUnavailable(http, "Service Bus cannot be reached right now.");
}
