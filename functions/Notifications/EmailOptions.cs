using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Notifications;

public sealed class EmailOptions
{
    public const string SectionName = "Email";

    /// <summary>Simulated e-mail: written to blob storage, never delivered (<see cref="SandboxEmailSender"/>).</summary>
    public const string SandboxProvider = "Sandbox";

    /// <summary>The providers this build can send through: the sandbox, and any SMTP server (<see cref="SmtpEmailSender"/>, <see cref="SmtpOptions"/>). A real provider's sender adds its name here and in <see cref="NotificationsServiceCollectionExtensions.AddNotifications"/>.</summary>
    public static IReadOnlyList<string> KnownProviders { get; } = [SandboxProvider, SmtpEmailSender.Provider];

    /// <summary>Which provider sends customer e-mails; one of <see cref="KnownProviders"/> (case-insensitive).</summary>
    [Required]
    public string Provider { get; set; } = SandboxProvider;

    /// <summary>The sender address of every customer e-mail; its domain also names the e-mails' Message-IDs.</summary>
    [Required]
    public string From { get; set; } = "orders@shop.example";

    /// <summary>The sender's display name, which also signs the e-mails.</summary>
    [Required]
    [MaxLength(100)]
    public string FromName { get; set; } = "Shop";

    public bool IsProvider(string name) => string.Equals(Provider, name, StringComparison.OrdinalIgnoreCase);

    public bool IsKnownProvider() => KnownProviders.Any(IsProvider);
}
