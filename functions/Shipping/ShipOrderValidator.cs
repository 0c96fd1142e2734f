using Shop.Functions.Orders;

namespace Shop.Functions.Shipping;

/// <summary>What a carrier needs from a ShipOrder. A command without it can never ship, so it is rejected.</summary>
public static class ShipOrderValidator
{
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

        if (command.Items is not { Count: > 0 })
        {
            return "The command has no items.";
        }

        if (command.Items.Any(line => line is null || string.IsNullOrWhiteSpace(line.Sku) || line.Quantity < 1))
        {
            return "Every item needs a sku and a quantity of at least 1.";
        }

        var address = command.Address;
        if (address is null)
        {
            return "The command has no address.";
        }

        string?[] required = [address.Line1, address.City, address.PostalCode, address.Country];
        return required.Any(string.IsNullOrWhiteSpace)
            ? "The address needs line1, city, postalCode and country."
            : null;
    }
}
