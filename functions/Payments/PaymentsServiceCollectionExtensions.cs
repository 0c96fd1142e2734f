using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Shop.Functions.Payments;

public static class PaymentsServiceCollectionExtensions
{
    /// <summary>
    /// The payment gateway the saga's ChargePayment and RefundPayment activities call. Only the sandbox exists so
    /// far; an unknown <c>Payments:Provider</c> fails at startup rather than at the first charge. Registered with
    /// TryAdd, so a gateway registered earlier (a real provider, a test double) wins.
    /// </summary>
    public static IServiceCollection AddPayments(this IServiceCollection services)
    {
        services.AddOptions<PaymentsOptions>()
            .BindConfiguration(PaymentsOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.IsKnownProvider(), $"Payments:Provider must be one of: {string.Join(", ", PaymentsOptions.KnownProviders)}.")
            .ValidateOnStart();
        services.TryAddSingleton<IPaymentGateway, SandboxPaymentGateway>();
        return services;
    }
}
