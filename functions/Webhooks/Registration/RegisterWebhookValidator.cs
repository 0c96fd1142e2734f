using Shop.Functions.Orders.Events;

namespace Shop.Functions.Webhooks.Registration;

/// <summary>A registration that passed <see cref="RegisterWebhookValidator"/>.</summary>
public sealed record ValidWebhook(Uri Url, IReadOnlyList<string> EventTypes, string? Description);

/// <summary>
/// Checks a registration's shape: an absolute http(s) URL (https unless the app allows http for development),
/// without credentials or fragment; known event types or <c>*</c>; a short description. Where the URL points
/// (SSRF) is checked separately, since that needs DNS.
/// </summary>
public static class RegisterWebhookValidator
{
    public const int MaxUrlLength = 2048;
    public const int MaxDescriptionLength = 256;

    public static Dictionary<string, string[]> Validate(RegisterWebhookRequest request, bool requireHttps, out ValidWebhook? valid)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var url = ValidateUrl(request.Url, requireHttps, errors);
        var eventTypes = ValidateEventTypes(request.EventTypes, errors);
        if (request.Description is { } description && (description.Length > MaxDescriptionLength || description.Any(char.IsControl)))
        {
            errors["description"] = [$"The description is at most {MaxDescriptionLength} characters, without control characters."];
        }

        valid = errors.Count == 0 ? new ValidWebhook(url!, eventTypes!, string.IsNullOrWhiteSpace(request.Description) ? null : request.Description) : null;
        return errors;
    }

    /// <summary>The URL's shape, shared with an order's <c>callbackUrl</c>. Null when valid.</summary>
    public static string? UrlProblem(string? value, bool requireHttps, out Uri? url)
    {
        url = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return "The URL is required.";
        }

        if (value.Length > MaxUrlLength || !Uri.TryCreate(value, UriKind.Absolute, out var parsed))
        {
            return $"The URL must be absolute and at most {MaxUrlLength} characters.";
        }

        if (parsed.Scheme != Uri.UriSchemeHttps && (requireHttps || parsed.Scheme != Uri.UriSchemeHttp))
        {
            return requireHttps ? "The URL must use https." : "The URL must use http or https.";
        }

        if (parsed.UserInfo.Length > 0 || parsed.Fragment.Length > 0)
        {
            return "The URL must not carry credentials or a fragment.";
        }

        url = parsed;
        return null;
    }

    private static Uri? ValidateUrl(string? value, bool requireHttps, Dictionary<string, string[]> errors)
    {
        if (UrlProblem(value, requireHttps, out var url) is { } problem)
        {
            errors["url"] = [problem];
        }

        return url;
    }

    private static List<string>? ValidateEventTypes(IReadOnlyList<string>? eventTypes, Dictionary<string, string[]> errors)
    {
        var known = $"Known types: {string.Join(", ", OrderEventTypes.All)}, or \"{WebhookEventTypes.All}\" for all.";
        if (eventTypes is not { Count: > 0 } || eventTypes.Count > OrderEventTypes.All.Count + 1)
        {
            errors["eventTypes"] = [$"List 1 to {OrderEventTypes.All.Count} event types. {known}"];
            return null;
        }

        var unknown = eventTypes.Where(type => type != WebhookEventTypes.All && !OrderEventTypes.All.Contains(type)).ToList();
        if (unknown.Count > 0)
        {
            var shown = string.Join(", ", unknown.Take(5).Select(type => type is null ? "null" : $"'{Shorten(type)}'"));
            errors["eventTypes"] = [$"Unknown event types: {shown}. {known}"];
            return null;
        }

        if (eventTypes.Distinct(StringComparer.Ordinal).Count() != eventTypes.Count)
        {
            errors["eventTypes"] = ["List each event type once."];
            return null;
        }

        return eventTypes.Contains(WebhookEventTypes.All) ? [WebhookEventTypes.All] : [.. eventTypes];
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "...";
}
