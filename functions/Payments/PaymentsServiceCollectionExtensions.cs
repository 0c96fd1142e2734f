using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Shop.Functions.Payments.StripeEvents;

namespace Shop.Functions.Payments;

public static class PaymentsServiceCollectionExtensions
{
    /// <summary>
    /// The payment gateway the saga's ChargePayment and RefundPayment activities call: the sandbox, or Stripe when
    /// <c>Payments:Provider</c> is <c>Stripe</c> (its keys then required). An unknown provider or a Stripe one without keys
    /// fails at startup rather than at the first charge. Registered with TryAdd, so a gateway registered earlier (a test
    /// double) wins.
    /// </summary>
    public static IServiceCollection AddPayments(this IServiceCollection services)
    {
        services.AddOptions<PaymentsOptions>()
            .BindConfiguration(PaymentsOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.IsKnownProvider(), $"Payments:Provider must be one of: {string.Join(", ", PaymentsOptions.KnownProviders)}.")
            .ValidateOnStart();
        services.AddOptions<StripeOptions>()
            .BindConfiguration(StripeOptions.SectionName)
            .ValidateDataAnnotations()
            // Read from configuration, not IOptions<PaymentsOptions>: an invalid provider fails that options' own validation once.
            .Validate<IConfiguration>(
                (stripe, configuration) => !new PaymentsOptions { Provider = configuration[$"{PaymentsOptions.SectionName}:{nameof(PaymentsOptions.Provider)}"] ?? string.Empty }
                    .IsProvider(PaymentsOptions.StripeProvider) || stripe.IsComplete,
                "Payments:Provider is Stripe: Payments:Stripe:SecretKey and Payments:Stripe:WebhookSecret are required.")
            .ValidateOnStart();
        services.AddHttpClient(StripeOptions.HttpClientName)
            .ConfigureHttpClient((provider, http) => http.Timeout = provider.GetRequiredService<IOptions<StripeOptions>>().Value.RequestTimeout);
        services.TryAddSingleton<StripeEventInbox>();
        services.TryAddSingleton<StripeEventsHandler>();
        services.TryAddSingleton<IPaymentGateway>(provider =>
            provider.GetRequiredService<IOptions<PaymentsOptions>>().Value.IsProvider(PaymentsOptions.StripeProvider)
                ? ActivatorUtilities.CreateInstance<StripePaymentGateway>(provider)
                : ActivatorUtilities.CreateInstance<SandboxPaymentGateway>(provider));
        return services;
    }
}
