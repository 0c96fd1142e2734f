namespace Shop.Functions.Webhooks.Delivery;

internal sealed partial class WebhookSender
{
    /// <summary>One PostAsync: what every attempt needs, and the attempts so far.</summary>
    private sealed class Delivery(WebhookSender sender, WebhookPost post, string host, string signature, CancellationToken callerToken)
    {
        public WebhookSender Sender { get; } = sender;

        public WebhookPost Post { get; } = post;

        public string Host { get; } = host;

        public string Signature { get; } = signature;

        public CancellationToken CallerToken { get; } = callerToken;

        public List<WebhookAttempt> Attempts { get; } = [];

        /// <summary>A receiver may echo our headers in an error body; signatures never reach a log or the delivery record.</summary>
        public string Redact(string text)
        {
            foreach (var part in Signature.Split(' '))
            {
                var value = part[(part.IndexOf(',', StringComparison.Ordinal) + 1)..];
                text = text.Replace(value, "[signature]", StringComparison.Ordinal);
            }

            return text;
        }
    }
}
