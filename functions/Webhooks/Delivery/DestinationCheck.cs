namespace Shop.Functions.Webhooks.Delivery;

/// <summary>Whether a webhook URL may be registered; when not, <paramref name="Reason"/> says why, in words fit for a 400 problem.</summary>
public sealed record DestinationCheck(bool IsAllowed, string? Reason)
{
    public static DestinationCheck Allowed { get; } = new(true, null);

    public static DestinationCheck Refused(string reason) => new(false, reason);
}
