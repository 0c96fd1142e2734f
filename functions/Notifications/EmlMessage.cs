using System.Globalization;
using System.Text;

namespace Shop.Functions.Notifications;

/// <summary>
/// One plain-text e-mail as RFC 5322 text, what an <c>.eml</c> file holds: the headers, a blank line, the UTF-8 body,
/// CRLF line ends throughout. Names and the subject go through <see cref="HeaderText"/>, so they cannot add headers.
/// </summary>
/// <param name="MessageId">The Message-ID header, angle brackets included: <c>&lt;left@right&gt;</c>.</param>
public sealed record EmlMessage(
    string From,
    string FromName,
    string To,
    string ToName,
    string Subject,
    DateTimeOffset Date,
    string MessageId,
    string Body)
{
    /// <summary>The media type of the formatted text.</summary>
    public const string MediaType = "message/rfc822";

    private const string CrLf = "\r\n";

    // RFC 5322 allows 998 octets per line; a body with a longer line is sent as base64 instead of 8bit.
    private const int MaxLineBytes = 998;

    /// <exception cref="ArgumentException">An address or the Message-ID could not be written safely.</exception>
    public string Format()
    {
        if (MessageId.Length < 5 || MessageId[0] != '<' || MessageId[^1] != '>' || MessageId.Any(c => c is <= ' ' or > '~'))
        {
            throw new ArgumentException("The Message-ID must be printable ASCII in angle brackets.", nameof(MessageId));
        }

        var body = Body.ReplaceLineEndings(CrLf);
        var eightBit = body.Split(CrLf).All(line => Encoding.UTF8.GetByteCount(line) <= MaxLineBytes);
        var text = new StringBuilder()
            .Append("Date: ").Append(Date.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture)).Append(CrLf)
            .Append("From: ").Append(HeaderText.Mailbox(FromName, From)).Append(CrLf)
            .Append("To: ").Append(HeaderText.Mailbox(ToName, To)).Append(CrLf)
            .Append("Subject: ").Append(HeaderText.Unstructured(Subject)).Append(CrLf)
            .Append("Message-ID: ").Append(MessageId).Append(CrLf)
            .Append("MIME-Version: 1.0").Append(CrLf)
            .Append("Content-Type: text/plain; charset=utf-8").Append(CrLf)
            .Append("Content-Transfer-Encoding: ").Append(eightBit ? "8bit" : "base64").Append(CrLf)
            .Append(CrLf);
        var content = eightBit ? body : Convert.ToBase64String(Encoding.UTF8.GetBytes(body), Base64FormattingOptions.InsertLineBreaks);
        text.Append(content);
        if (!content.EndsWith(CrLf, StringComparison.Ordinal))
        {
            text.Append(CrLf);
        }

        return text.ToString();
    }
}
