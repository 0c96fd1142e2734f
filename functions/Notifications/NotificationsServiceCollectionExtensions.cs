using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Shop.Functions.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    /// <summary>
    /// Customer e-mails: the <c>notifications</c> subscription's handler and the <c>send-email</c> queue's. Only the
    /// sandbox sender exists so far; an unknown <c>Email:Provider</c> or an invalid <c>Email:From</c> fails at startup.
    /// Registered with TryAdd, so a sender registered earlier (a real provider, a test double) wins.
    /// </summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddOptions<EmailOptions>()
            .BindConfiguration(EmailOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.IsKnownProvider(), $"Email:Provider must be one of: {string.Join(", ", EmailOptions.KnownProviders)}.")
            .Validate(o => EmailAddresses.IsValid(o.From) && o.From.All(char.IsAscii), "Email:From must be an ASCII e-mail address such as orders@example.com.")
            .ValidateOnStart();
        services.TryAddSingleton<IEmailSender, SandboxEmailSender>();
        services.TryAddSingleton<NotificationProgress>();
        services.TryAddSingleton<NotifyCustomerHandler>();
        services.TryAddSingleton<SendEmailHandler>();
        return services;
    }
}
