using Shop.Functions.Catalog;
using Shop.Functions.Orders;

namespace Shop.Functions.Shipping.Booking;

/// <summary>What a carrier needs from a ShipOrder. A command without it can never ship, so it is rejected.</summary>
public static partial class ShipOrderValidator
{
    /// <summary>The longest address field intake accepts.</summary>
    public const int MaxAddressFieldLength = 200;

    /// <summary>Why the command cannot be shipped, or null when it can.</summary>
    public static string? Problem(ShipOrder command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (string.IsNullOrEmpty(command.OrderId))
        {
            return "The command has no orderId.";
        }

        if (!OrderIds.IsWellFormed(command.OrderId))
        {
            return $"'{command.OrderId}' is not an order id.";
        }

        if (command.DispatchSequence < 0)
        {
            return "The command's dispatchSequence cannot be negative.";
        }

        if (command.Items is not { Count: > 0 })
        {
            return "The command has no items.";
        }

        // The SKUs intake accepts: anything else did not come from an order, and a huge one would fail every retry in storage.
        if (command.Items.Any(line => line is null || !Sku.IsValid(line.Sku) || line.Quantity < 1))
        {
            return "Every item needs a sku (letters, digits, '-' and '_', at most 64) and a quantity of at least 1.";
        }

        var address = command.Address;
        if (address is null)
        {
            return "The command has no address.";
        }

        string?[] required = [address.Line1, address.City, address.PostalCode, address.Country];
        if (required.Any(string.IsNullOrWhiteSpace))
        {
            return "The address needs line1, city, postalCode and country.";
        }

        string?[] all = [.. required, address.Line2, address.Region];
        if (all.Any(field => field?.Length > MaxAddressFieldLength))
        {
            return $"Each address field is at most {MaxAddressFieldLength} characters.";
        }

        // Optional (commands sent before it have none); when present it is handed on in ShipmentDispatched as it is.
        return command.Contact is { } contact && (string.IsNullOrWhiteSpace(contact.Email) || contact.Name is null)
            ? "The command's contact needs an email and a name."
            : null;
    }

}
