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

        return ContactProblem(command.Contact);
    }

    /// <summary>
    /// Why a carrier command's contact cannot be handed on in ShipmentDispatched, or null when it can (or there is none:
    /// commands sent before it existed). The bounds are intake's, so no contact an order could have is refused.
    /// </summary>
    public static string? ContactProblem(Orders.Events.OrderContact? contact)
    {
        if (contact is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(contact.Email) || contact.Email.Length > 254 || contact.Name is null || contact.Name.Length > 200)
        {
            return "The command's contact needs an email of at most 254 characters and a name of at most 200.";
        }

        return contact.CallbackUrl is { } url && (url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out _))
            ? "The command's contact has a callback URL that is not an absolute URL of at most 2048 characters."
            : null;
    }

}
