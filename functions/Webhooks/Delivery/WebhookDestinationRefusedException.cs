namespace Shop.Functions.Webhooks.Delivery;

/// <summary>Thrown at connect time when the destination resolves to an address the SSRF guard forbids. No connection was opened.</summary>
public sealed class WebhookDestinationRefusedException : Exception
{
    public WebhookDestinationRefusedException()
        : this("The webhook destination is not allowed.")
    {
    }

    public WebhookDestinationRefusedException(string message)
        : base(message)
    {
    }

    public WebhookDestinationRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The refusal in an exception chain (HttpClient wraps what a ConnectCallback throws), or null.</summary>
    public static WebhookDestinationRefusedException? FindIn(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is WebhookDestinationRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }
}
