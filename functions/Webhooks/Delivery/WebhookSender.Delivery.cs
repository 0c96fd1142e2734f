namespace Shop.Functions.Webhooks.Delivery;

internal sealed partial class WebhookSender
{
    /// <summary>One PostAsync: what every attempt needs, and the attempts so far.</summary>
    private sealed class Delivery(WebhookSender sender, WebhookPost post, string host, CancellationToken callerToken)
    {
        public WebhookSender Sender { get; } = sender;

        public WebhookPost Post { get; } = post;

        public string Host { get; } = host;

        /// <summary>Every signature sent so far: each attempt is signed anew.</summary>
        private readonly List<string> _signatures = [];

        public CancellationToken CallerToken { get; } = callerToken;

        public List<WebhookAttempt> Attempts { get; } = [];

        /// <summary>The <c>webhook-signature</c> header of an attempt stamped <paramref name="timestamp"/>.</summary>
        public string Sign(DateTimeOffset timestamp)
        {
            var header = WebhookSignatures.Sign(Post.WebhookId, timestamp, Post.Body, Post.Secrets);
            lock (_signatures)
            {
                _signatures.AddRange(header.Split(' ').Select(part => part[(part.IndexOf(',', StringComparison.Ordinal) + 1)..]));
            }

            return header;
        }

        /// <summary>A receiver may echo our headers in an error body; signatures never reach a log or the delivery record.</summary>
        public string Redact(string text)
        {
            lock (_signatures)
            {
                foreach (var value in _signatures)
                {
                    text = text.Replace(value, "[signature]", StringComparison.Ordinal);
                }
            }

            return text;
        }
    }
}
