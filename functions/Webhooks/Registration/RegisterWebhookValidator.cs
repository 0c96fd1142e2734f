using Shop.Functions.Orders.Events;
using Shop.Functions.Webhooks.Delivery;

namespace Shop.Functions.Webhooks.Registration;

/// <summary>A registration that passed <see cref="RegisterWebhookValidator"/>.</summary>
public sealed record ValidWebhook(Uri Url, IReadOnlyList<string> EventTypes, string? Description);

/// <summary>An update that passed <see cref="RegisterWebhookValidator.ValidateUpdate"/>: null fields stay as they are.</summary>
public sealed record ValidWebhookUpdate(Uri? Url, IReadOnlyList<string>? EventTypes, string? Description);

/// <summary>
/// Checks a registration's shape: an absolute URL without fragment that the guard's DNS-free checks accept (http(s),
/// https unless the app allows http for development, no credentials); known event types or <c>*</c>; a short
/// description. Where the URL points (SSRF) is checked afterwards, since that needs DNS.
/// </summary>
public static class RegisterWebhookValidator
{
    public const int MaxUrlLength = 2048;
    public const int MaxDescriptionLength = 256;

    public static Dictionary<string, string[]> Validate(RegisterWebhookRequest request, WebhookDestinationGuard guard, out ValidWebhook? valid)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var url = ValidateUrl(request.Url, guard, errors);
        var eventTypes = ValidateEventTypes(request.EventTypes, errors);
        ValidateDescription(request.Description, errors);

        valid = errors.Count == 0 ? new ValidWebhook(url!, eventTypes!, string.IsNullOrWhiteSpace(request.Description) ? null : request.Description) : null;
        return errors;
    }

    /// <summary>The same rules for the fields an update names; an update that names none is refused.</summary>
    public static Dictionary<string, string[]> ValidateUpdate(UpdateWebhookRequest request, WebhookDestinationGuard guard, out ValidWebhookUpdate? valid)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is { Url: null, EventTypes: null, Description: null })
        {
            errors[string.Empty] = ["Name at least one of url, eventTypes and description."];
        }

        var url = request.Url is null ? null : ValidateUrl(request.Url, guard, errors);
        var eventTypes = request.EventTypes is null ? null : ValidateEventTypes(request.EventTypes, errors);
        ValidateDescription(request.Description, errors);

        valid = errors.Count == 0 ? new ValidWebhookUpdate(url, eventTypes, request.Description) : null;
        return errors;
    }

    private static void ValidateDescription(string? description, Dictionary<string, string[]> errors)
    {
        if (description is not null && (description.Length > MaxDescriptionLength || description.Any(char.IsControl)))
        {
            errors["description"] = [$"The description is at most {MaxDescriptionLength} characters, without control characters."];
        }
    }

    private static Uri? ValidateUrl(string? value, WebhookDestinationGuard guard, Dictionary<string, string[]> errors)
    {
        string? problem;
        Uri? url = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            problem = "The URL is required.";
        }
        else if (value.Length > MaxUrlLength || !Uri.TryCreate(value, UriKind.Absolute, out url))
        {
            problem = $"The URL must be absolute and at most {MaxUrlLength} characters.";
        }
        else
        {
            problem = url.Fragment.Length > 0 ? "The URL must not carry a fragment." : guard.CheckUrl(url);
        }

        if (problem is not null)
        {
            errors["url"] = [problem];
            return null;
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
