using System.Diagnostics.CodeAnalysis;
using System.Net.Mail;

namespace Shop.Functions.Notifications;

/// <summary>What an address must be before it goes into a header: one mailbox, no display name, no line break.</summary>
public static class EmailAddresses
{
    public const int MaxLength = 254;

    /// <summary>A single bare address (<c>ada@example.com</c>) whose domain has a dot; nothing that could end a header line.</summary>
    public static bool IsValid([NotNullWhen(true)] string? value) =>
        value is { Length: > 0 and <= MaxLength }
        && !value.Any(HeaderText.IsLineBreakOrControl)
        && MailAddress.TryCreate(value, out var address)
        && address.Address == value
        && address.DisplayName.Length == 0
        && address.Host.Contains('.', StringComparison.Ordinal);

    /// <summary>The part after the last <c>@</c>.</summary>
    public static string DomainOf(string address) => address[(address.LastIndexOf('@') + 1)..];
}
