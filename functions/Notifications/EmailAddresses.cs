using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Mail;

namespace Shop.Functions.Notifications;

/// <summary>What an address must be before it goes into a header: one mailbox, no display name, no line break.</summary>
public static class EmailAddresses
{
    public const int MaxLength = 254;

    /// <summary>
    /// A single bare address (<c>ada@example.com</c>) whose domain has a dot; nothing that could end a header line, and
    /// nothing invisible. Order intake accepts exactly these, so every accepted order's customer can be e-mailed.
    /// </summary>
    public static bool IsValid([NotNullWhen(true)] string? value) =>
        value is { Length: > 0 and <= MaxLength }
        && !value.Any(c => HeaderText.IsLineBreakOrControl(c) || IsInvisible(c))
        && MailAddress.TryCreate(value, out var address)
        && address.Address == value
        && address.DisplayName.Length == 0
        && address.Host.Contains('.', StringComparison.Ordinal);

    /// <summary>
    /// Format characters (bidi overrides such as U+202E, zero-width characters, the BOM), unassigned code points (U+FFFF)
    /// and private-use ones: letters of any script are fine in an address, but these only hide or reorder what it shows.
    /// </summary>
    private static bool IsInvisible(char c) =>
        char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse;

    /// <summary>The part after the last <c>@</c>.</summary>
    public static string DomainOf(string address) => address[(address.LastIndexOf('@') + 1)..];
}
