using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Shop.Functions.Notifications;

/// <summary>
/// The SMTP settings must be usable when, and only when, SMTP is the provider (<see cref="SmtpOptions.Problem"/>). It
/// reads <c>Email:Provider</c> from configuration, not from <see cref="EmailOptions"/>, so that an invalid Email
/// section is reported once, by its own validation.
/// </summary>
public sealed class SmtpOptionsValidator(IConfiguration configuration) : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var provider = configuration[$"{EmailOptions.SectionName}:{nameof(EmailOptions.Provider)}"];
        if (!string.Equals(provider, SmtpEmailSender.Provider, StringComparison.OrdinalIgnoreCase))
        {
            return ValidateOptionsResult.Skip;
        }

        return options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
