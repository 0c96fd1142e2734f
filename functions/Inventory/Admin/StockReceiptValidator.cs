namespace Shop.Functions.Inventory.Admin;

/// <summary>Checks a goods receipt; every field error is reported at once, keyed by its JSON name.</summary>
public static class StockReceiptValidator
{
    public const int MaxQuantity = 1_000_000;
    public const int MaxNoteLength = 256;

    public static Dictionary<string, string[]> Validate(StockReceiptRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!InventoryKeys.IsValidReceiptId(request.ReceiptId))
        {
            errors["receiptId"] = ["Required: 1-100 letters, digits, '_', '.', ':' or '-', starting with a letter or digit (your delivery note's number)."];
        }

        if (request.Quantity is not (>= 1 and <= MaxQuantity))
        {
            errors["quantity"] = [$"Required: a whole number of units from 1 to {MaxQuantity}."];
        }

        if (request.Note is { Length: > MaxNoteLength } || (request.Note is not null && request.Note.Any(char.IsControl)))
        {
            errors["note"] = [$"At most {MaxNoteLength} characters, no control characters."];
        }

        return errors;
    }
}
