using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Fulfillment;

public sealed class FulfillmentOptions
{
    public const string SectionName = "Fulfillment";

    /// <summary>How long the saga waits for the carrier's ShipmentDispatched before refunding and failing the order.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan ShippingTimeout { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Attempts of an activity that fails transiently (storage, payment provider), the first included.</summary>
    [Range(1, 20)]
    public int ActivityMaxAttempts { get; set; } = 6;

    /// <summary>Wait before the first retry; each later wait doubles, up to <see cref="ActivityMaxRetryInterval"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ActivityFirstRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan ActivityMaxRetryInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A compensation (refund, stock release, shipment cancellation) or a final write that failed through its activity
    /// retries is tried again after this long, then after twice as long, up to <see cref="CompensationMaxRetryInterval"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan CompensationFirstRetryInterval { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:00:00.010", "7.00:00:00")]
    public TimeSpan CompensationMaxRetryInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long such a step is retried before the order ends NeedsAttention for a person to look at.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "30.00:00:00")]
    public TimeSpan CompensationGiveUpAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long the saga waits for the carrier to answer a CancelShipment (cancelled, or dispatched first).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan CarrierAnswerTimeout { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long the saga waits for a charge the customer must confirm (3-D Secure) before it asks the provider and, if
    /// nothing was captured, cancels the payment and fails the order.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan PaymentActionTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// An order short of stock waits for a replenishment (status Backordered) instead of failing OutOfStock at once. Read
    /// when the order's saga starts.
    /// </summary>
    public bool Backorders { get; set; } = true;

    /// <summary>How long a backordered order waits for stock before it fails OutOfStock, releasing what it holds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "60.00:00:00")]
    public TimeSpan BackorderLimit { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// A backordered order also tries its reservation again this often without a StockReplenished (stock from a goods
    /// receipt, a release, a waiter ahead that gave up).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan BackorderRecheckInterval { get; set; } = TimeSpan.FromHours(1);
}
