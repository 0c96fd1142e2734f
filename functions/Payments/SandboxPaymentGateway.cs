using System.Security.Cryptography;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;

namespace Shop.Functions.Payments;

/// <summary>
/// SIMULATED payments: no money moves. The token decides the outcome: <c>tok_decline*</c> and
/// <c>tok_insufficient*</c> are declined, <c>tok_flaky*</c> is unavailable for an order's first two attempts,
/// <c>tok_unavailable*</c> always is, anything else is captured. An outage is the provider's, not the charge's: once an
/// order was charged with <c>tok_unavailable*</c>, its refunds and outcome queries fail unavailable too, for good; with
/// <c>tok_flaky*</c>, the first <see cref="FlakyFailures"/> calls about the order fail, whichever they are (refunds and
/// queries carry no token, so an order that no charge reached yet has no simulated outage). Charges, refunds, the
/// closed-order tombstone and attempts are kept in the <see cref="TableName"/> table, so the answers are idempotent
/// across restarts and instances.
/// </summary>
public sealed partial class SandboxPaymentGateway : IPaymentGateway
{
    public const string TableName = StorageTables.PaymentsSandbox;
    public const string DeclineTokenPrefix = "tok_decline";
    public const string InsufficientFundsTokenPrefix = "tok_insufficient";
    public const string FlakyTokenPrefix = "tok_flaky";
    public const string UnavailableTokenPrefix = "tok_unavailable";

    /// <summary>How many attempts of a <see cref="FlakyTokenPrefix"/> charge fail before one succeeds.</summary>
    public const int FlakyFailures = 2;

    private readonly SandboxLedger _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger<SandboxPaymentGateway> _logger;

    public SandboxPaymentGateway(TableServiceClient tables, TimeProvider time, ILogger<SandboxPaymentGateway> logger)
    {
        _ledger = new SandboxLedger(tables.GetTableClient(TableName));
        _time = time;
        _logger = logger;
        LogSimulated();
    }

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        PaymentRequestGuards.Validate(request);
        try
        {
            // A simulated outage counts its attempts in storage before it answers, so it looks for the first charge before
            // that; any other token decides without storage, and its conditional insert is the check (one round trip fewer,
            // issue 14): a charge or a refund's tombstone that came first answers 409 and is replayed below.
            if (CountsAttempts(request.PaymentToken) && await _ledger.FindChargeAsync(request.OrderId, cancellationToken) is { } first)
            {
                return await ReplayAsync(request, first, cancellationToken);
            }

            var result = await DecideAsync(request, cancellationToken);
            var (row, inserted) = await _ledger.AddChargeAsync(SandboxChargeRow.For(request.OrderId, result), cancellationToken);
            if (!inserted)
            {
                // A refund's tombstone (or a parallel charge) came first: this charge captures nothing.
                return await ReplayAsync(request, row, cancellationToken);
            }

            LogCharge(request.OrderId, result);
            return result;
        }
        catch (Exception ex) when (SandboxLedger.IsTransientFailure(ex, cancellationToken))
        {
            LogStorageUnavailable(ex, request.OrderId);
            throw new PaymentGatewayUnavailableException($"The sandbox payment gateway could not reach its storage while charging order {request.OrderId}.", ex);
        }
    }

    public async Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        PaymentRequestGuards.Validate(request);
        try
        {
            await SimulateOutageAsync(request.OrderId, cancellationToken);
            if (await _ledger.FindRefundAsync(request.OrderId, cancellationToken) is { } first)
            {
                LogRefundReplayed(request.OrderId, first.RefundId);
                return first.ToResult();
            }

            var charge = await _ledger.FindChargeAsync(request.OrderId, cancellationToken);
            if (charge is null)
            {
                // Close the order before any charge: the tombstone and a late charge insert the same row, so one wins.
                var (row, inserted) = await _ledger.AddChargeAsync(SandboxChargeRow.Closed(request.OrderId, _time.GetUtcNow()), cancellationToken);
                if (inserted)
                {
                    LogClosedBeforeCharge(request.OrderId);
                    return new RefundResult.NothingCharged();
                }

                charge = row;
            }

            if (!charge.IsCaptured)
            {
                // Declined, or closed before: a declined order replays its decline to any later charge.
                LogNothingCharged(request.OrderId);
                return new RefundResult.NothingCharged();
            }

            if (Reject(request, charge) is { } rejected)
            {
                LogRefundRejected(request.OrderId, charge.ChargeId!, rejected.RejectCode);
                return rejected;
            }

            var amount = request.IsEverything ? charge.AmountValue : request.Amount;
            var refund = new RefundResult.Refunded(NewId("re_"), charge.ChargeId!, amount, charge.Currency!, _time.GetUtcNow());
            var (refundRow, refundInserted) = await _ledger.AddRefundAsync(SandboxRefundRow.For(request.OrderId, refund), cancellationToken);
            if (!refundInserted)
            {
                LogRefundReplayed(request.OrderId, refundRow.RefundId);
                return refundRow.ToResult();
            }

            LogRefunded(request.OrderId, refund.ChargeId, refund.RefundId, refund.Amount, refund.Currency);
            return refund;
        }
        catch (Exception ex) when (SandboxLedger.IsTransientFailure(ex, cancellationToken))
        {
            LogStorageUnavailable(ex, request.OrderId);
            throw new PaymentGatewayUnavailableException($"The sandbox payment gateway could not reach its storage while refunding order {request.OrderId}.", ex);
        }
    }

    public async Task<PaymentStatus> GetPaymentAsync(string orderId, CancellationToken cancellationToken)
    {
        PaymentRequestGuards.ValidateOrderId(orderId);
        try
        {
            await SimulateOutageAsync(orderId, cancellationToken);

            // The charge first: a refund row only ever follows a captured charge, so this order of reads never shows
            // a refund without its charge.
            var charge = await _ledger.FindChargeAsync(orderId, cancellationToken);
            if (charge is not { IsCaptured: true })
            {
                return PaymentStatus.None;
            }

            var refund = await _ledger.FindRefundAsync(orderId, cancellationToken);
            return new PaymentStatus(charge.ChargeId, charge.AmountValue, refund?.ToResult().Amount ?? 0m, charge.Currency);
        }
        catch (Exception ex) when (SandboxLedger.IsTransientFailure(ex, cancellationToken))
        {
            LogStorageUnavailable(ex, orderId);
            throw new PaymentGatewayUnavailableException($"The sandbox payment gateway could not reach its storage while looking up order {orderId}.", ex);
        }
    }

    private static bool CountsAttempts(string token) =>
        token.StartsWith(UnavailableTokenPrefix, StringComparison.Ordinal) || token.StartsWith(FlakyTokenPrefix, StringComparison.Ordinal);

    private async Task<ChargeResult> DecideAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        var token = request.PaymentToken;
        if (token.StartsWith(UnavailableTokenPrefix, StringComparison.Ordinal))
        {
            // Counted, so that the order's refunds and queries know the provider is down for it.
            throw SimulatedOutage(request.OrderId, await _ledger.CountAttemptAsync(request.OrderId, UnavailableTokenPrefix, cancellationToken));
        }

        if (token.StartsWith(FlakyTokenPrefix, StringComparison.Ordinal)
            && await _ledger.CountAttemptAsync(request.OrderId, FlakyTokenPrefix, cancellationToken) is var attempt and <= FlakyFailures)
        {
            throw SimulatedOutage(request.OrderId, attempt);
        }

        if (token.StartsWith(DeclineTokenPrefix, StringComparison.Ordinal))
        {
            return new ChargeResult.Declined(DeclineCodes.CardDeclined, "The card was declined.");
        }

        if (token.StartsWith(InsufficientFundsTokenPrefix, StringComparison.Ordinal))
        {
            return new ChargeResult.Declined(DeclineCodes.InsufficientFunds, "The card has insufficient funds.");
        }

        return new ChargeResult.Captured(NewId("ch_"), request.Amount, request.Currency, _time.GetUtcNow());
    }

    private async Task<ChargeResult> ReplayAsync(ChargeRequest request, SandboxChargeRow first, CancellationToken cancellationToken)
    {
        if (first.IsClosed || (first.IsCaptured && await _ledger.FindRefundAsync(request.OrderId, cancellationToken) is not null))
        {
            LogChargeAfterClose(request.OrderId, first.Outcome);
            return new ChargeResult.Declined(DeclineCodes.OrderClosed, "The order was closed by a refund; nothing was charged.");
        }

        if (first.IsCaptured && (first.AmountValue != request.Amount || first.Currency != request.Currency))
        {
            LogChargedAgainWithOtherAmount(request.OrderId, first.ChargeId!, request.Amount, request.Currency, first.AmountValue, first.Currency!);
        }

        LogChargeReplayed(request.OrderId, first.Outcome, first.ChargeId);
        return first.ToResult();
    }

    private static RefundResult.Rejected? Reject(RefundRequest request, SandboxChargeRow charge)
    {
        if (request.ChargeId.Length > 0 && request.ChargeId != charge.ChargeId)
        {
            return new RefundResult.Rejected(RefundRejectCodes.ChargeMismatch, "The charge is not this order's charge.");
        }

        if (request.Currency.Length > 0 && request.Currency != charge.Currency)
        {
            return new RefundResult.Rejected(RefundRejectCodes.CurrencyMismatch, $"The charge was in {charge.Currency}.");
        }

        return !request.IsEverything && request.Amount > charge.AmountValue
            ? new RefundResult.Rejected(RefundRejectCodes.AmountExceedsCharge, $"The charge captured {charge.Amount} {charge.Currency}.")
            : null;
    }

    private PaymentGatewayUnavailableException SimulatedOutage(string orderId, int? attempt)
    {
        LogSimulatedOutage(orderId, attempt);
        return new PaymentGatewayUnavailableException($"The sandbox payment gateway simulated an outage for order {orderId}.");
    }

    /// <summary>
    /// The outage a refund or query meets: the order's charge used <see cref="UnavailableTokenPrefix"/> (always down) or
    /// <see cref="FlakyTokenPrefix"/> (down until the order has had <see cref="FlakyFailures"/> failed calls).
    /// </summary>
    private async Task SimulateOutageAsync(string orderId, CancellationToken cancellationToken)
    {
        if (await _ledger.FindAttemptsAsync(orderId, cancellationToken) is not { } attempts)
        {
            return;
        }

        if (attempts.Simulation == UnavailableTokenPrefix)
        {
            throw SimulatedOutage(orderId, await _ledger.CountAttemptAsync(orderId, UnavailableTokenPrefix, cancellationToken));
        }

        if (attempts.Count < FlakyFailures
            && await _ledger.CountAttemptAsync(orderId, FlakyTokenPrefix, cancellationToken) is var attempt and <= FlakyFailures)
        {
            throw SimulatedOutage(orderId, attempt);
        }
    }

    private void LogCharge(string orderId, ChargeResult result)
    {
        if (result is ChargeResult.Captured captured)
        {
            LogCaptured(orderId, captured.ChargeId, captured.Amount, captured.Currency);
        }
        else if (result is ChargeResult.Declined declined)
        {
            LogDeclined(orderId, declined.DeclineCode);
        }
    }

    private static string NewId(string prefix) => prefix + RandomNumberGenerator.GetHexString(24, lowercase: true);
}
