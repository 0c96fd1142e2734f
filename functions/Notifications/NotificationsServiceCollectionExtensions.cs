using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Shop.Functions.Notifications.NotifyCustomer;
using Shop.Functions.Notifications.Sending;

namespace Shop.Functions.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    /// <summary>
    /// Customer e-mails: the <c>notifications</c> subscription's handler and the <c>send-email</c> queue's, and the
    /// sender <c>Email:Provider</c> names: the sandbox (the default) or SMTP. An unknown provider, an invalid
    /// <c>Email:From</c> or, with SMTP, unusable <c>Email:Smtp</c> settings fail at startup. Registered with TryAdd, so
    /// a sender registered earlier (a test double) wins.
    /// </summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddOptions<EmailOptions>()
            .BindConfiguration(EmailOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.IsKnownProvider(), $"Email:Provider must be one of: {string.Join(", ", EmailOptions.KnownProviders)}.")
            .Validate(o => EmailAddresses.IsValid(o.From) && o.From.All(char.IsAscii), "Email:From must be an ASCII e-mail address such as orders@example.com.")
            .ValidateOnStart();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>());
        services.TryAddSingleton<IEmailSender>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.IsProvider(SmtpEmailSender.Provider)
            ? ActivatorUtilities.CreateInstance<SmtpEmailSender>(sp)
            : ActivatorUtilities.CreateInstance<SandboxEmailSender>(sp));
        services.TryAddSingleton<NotificationProgress>();
        services.TryAddSingleton<NotifyCustomerHandler>();
        services.TryAddSingleton<SendEmailHandler>();
        return services;
    }
}
