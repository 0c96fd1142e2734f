using System.Text.RegularExpressions;
using Shop.Functions.Catalog;
using Shop.Functions.Notifications;

namespace Shop.Functions.Orders.SubmitOrder;

/// <summary>A submission that passed validation: every required field present and within limits.</summary>
public sealed record ValidOrder(
    CustomerRequest Customer,
    IReadOnlyList<OrderLine> Items,
    ShippingAddress ShippingAddress,
    PaymentRequest Payment,
    string? CallbackUrl);

/// <summary>Checks a submission field by field; the errors are keyed by JSON path (<c>items[2].quantity</c>).</summary>
public static partial class SubmitOrderValidator
{
    public const int MaxLines = 50;
    public const int MinQuantity = 1;
    public const int MaxQuantity = 100;

    public static IReadOnlyDictionary<string, string[]> Validate(SubmitOrderRequest request, out ValidOrder? order)
    {
        var errors = new Errors();
        ValidateCustomer(request.Customer, errors);
        var lines = ValidateItems(request.Items, errors);
        ValidateAddress(request.ShippingAddress, errors);
        ValidatePayment(request.Payment, errors);
        ValidateCallbackUrl(request.CallbackUrl, errors);

        order = errors.Count == 0
            ? new ValidOrder(request.Customer!, lines, request.ShippingAddress!, request.Payment!, request.CallbackUrl)
            : null;
        return errors.ToDictionary();
    }

    private static void ValidateCustomer(CustomerRequest? customer, Errors errors)
    {
        if (customer is null)
        {
            errors.Add("customer", "The customer is required.");
            return;
        }

        errors.RequireText("customer.id", customer.Id, 64);
        errors.RequireText("customer.name", customer.Name, 200);
        if (errors.RequireText("customer.email", customer.Email, 254) && !IsEmail(customer.Email!))
        {
            errors.Add("customer.email", "The email address is not valid.");
        }
    }

    private static List<OrderLine> ValidateItems(IReadOnlyList<OrderLineRequest?>? items, Errors errors)
    {
        var lines = new List<OrderLine>();
        if (items is null || items.Count == 0)
        {
            errors.Add("items", "At least one item is required.");
            return lines;
        }

        if (items.Count > MaxLines)
        {
            errors.Add("items", $"At most {MaxLines} lines are allowed; merge lines of the same SKU.");
            return lines;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"items[{i}]";
            if (items[i] is not { } item)
            {
                errors.Add(path, "The line is required.");
                continue;
            }

            if (errors.RequireText($"{path}.sku", item.Sku, Sku.MaxLength))
            {
                if (!Sku.IsValid(item.Sku))
                {
                    errors.Add($"{path}.sku", "A SKU has letters, digits, '-' and '_' only.");
                }
                else if (!seen.Add(item.Sku!))
                {
                    errors.Add($"{path}.sku", "The SKU appears on another line; use one line per SKU.");
                }
            }

            if (item.Quantity is not { } quantity)
            {
                errors.Add($"{path}.quantity", "The quantity is required.");
            }
            else if (quantity is < MinQuantity or > MaxQuantity)
            {
                errors.Add($"{path}.quantity", $"The quantity must be from {MinQuantity} to {MaxQuantity}.");
            }
            else if (item.Sku is not null)
            {
                lines.Add(new OrderLine(item.Sku, quantity));
            }
        }

        return lines;
    }

    private static void ValidateAddress(ShippingAddress? address, Errors errors)
    {
        if (address is null)
        {
            errors.Add("shippingAddress", "The shipping address is required.");
            return;
        }

        errors.RequireText("shippingAddress.line1", address.Line1, 200);
        errors.OptionalText("shippingAddress.line2", address.Line2, 200);
        errors.RequireText("shippingAddress.city", address.City, 100);
        errors.OptionalText("shippingAddress.region", address.Region, 100);
        errors.RequireText("shippingAddress.postalCode", address.PostalCode, 20);
        if (errors.RequireText("shippingAddress.country", address.Country, 2) && !CountryPattern().IsMatch(address.Country!))
        {
            errors.Add("shippingAddress.country", "The country is an ISO 3166-1 alpha-2 code, like 'NL' or 'US'.");
        }
    }

    private static void ValidatePayment(PaymentRequest? payment, Errors errors)
    {
        if (payment is null)
        {
            errors.Add("payment", "The payment is required.");
            return;
        }

        if (errors.RequireText("payment.method", payment.Method, 20) && payment.Method != "card")
        {
            errors.Add("payment.method", "The only payment method is 'card'.");
        }

        errors.RequireText("payment.token", payment.Token, 128);
    }

    private static void ValidateCallbackUrl(string? callbackUrl, Errors errors)
    {
        if (callbackUrl is null)
        {
            return;
        }

        var valid = callbackUrl.Length <= 2048
            && Uri.TryCreate(callbackUrl, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && string.IsNullOrEmpty(uri.UserInfo)
            && string.IsNullOrEmpty(uri.Fragment);
        if (!valid)
        {
            errors.Add("callbackUrl", "The callback URL must be an absolute http(s) URL without credentials or fragment, at most 2048 characters.");
        }
    }

    /// <summary>No control characters and no unpaired UTF-16 surrogates (which storage would refuse).</summary>
    private static bool IsPrintableText(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) || char.IsLowSurrogate(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 == value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
        }

        return true;
    }

    /// <summary>The address the customer e-mails go to: whatever notifications could not send to is refused here.</summary>
    private static bool IsEmail(string value) => EmailAddresses.IsValid(value);


    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryPattern();

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);

        public int Count => _byField.Count;

        public void Add(string field, string message)
        {
            if (!_byField.TryGetValue(field, out var messages))
            {
                _byField[field] = messages = [];
            }

            messages.Add(message);
        }

        /// <summary>Adds an error unless the text is present and short enough; true when it is valid.</summary>
        public bool RequireText(string field, string? value, int maxLength)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Add(field, "The field is required.");
                return false;
            }

            return OptionalText(field, value, maxLength);
        }

        public bool OptionalText(string field, string? value, int maxLength)
        {
            if (value is null)
            {
                return true;
            }

            if (value.Length > maxLength)
            {
                Add(field, $"At most {maxLength} characters.");
                return false;
            }

            if (!IsPrintableText(value))
            {
                Add(field, "Control characters and unpaired surrogates are not allowed.");
                return false;
            }

            return true;
        }

        public Dictionary<string, string[]> ToDictionary() =>
            _byField.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal);
    }
}
