using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Shipping.Booking;
using Shop.Functions.Shipping.Cancellation;
using Shop.Functions.Shipping.Handover;

namespace Shop.Functions.Shipping;

public static class ShippingServiceCollectionExtensions
{
    /// <summary>
    /// The <c>ship-order</c>, <c>cancel-shipment</c> and carrier-internal <c>dispatch-booked-shipment</c> handlers, and the
    /// carrier they book, cancel and dispatch shipments with. Only the sandbox carrier exists so far;
    /// registered with TryAdd, so a carrier registered earlier (a real one, a test double) wins.
    /// </summary>
    public static IServiceCollection AddShipping(this IServiceCollection services)
    {
        services.AddOptions<ShippingOptions>().BindConfiguration(ShippingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICarrier, SandboxCarrier>();
        services.TryAddSingleton<ShipOrderHandler>();
        services.TryAddSingleton<CancelShipmentHandler>();
        services.TryAddSingleton<DispatchBookedShipmentHandler>();
        return services;
    }
}
