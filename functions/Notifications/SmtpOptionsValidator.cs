using Microsoft.Extensions.Options;

namespace Shop.Functions.Notifications;

/// <summary>The SMTP settings must be usable when, and only when, SMTP is the provider (<see cref="SmtpOptions.Problem"/>).</summary>
public sealed class SmtpOptionsValidator(IOptions<EmailOptions> email) : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!email.Value.IsProvider(SmtpEmailSender.Provider))
        {
            return ValidateOptionsResult.Skip;
        }

        return options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
