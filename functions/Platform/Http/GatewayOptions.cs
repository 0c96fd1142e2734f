namespace Shop.Functions.Platform.Http;

/// <summary>The API Management gateway in front of the app (infra/app/apim.bicep), as far as the app trusts it.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>
    /// The secret the gateway signs the validated caller with (<see cref="GatewayCaller"/>). Empty: no gateway validates
    /// tokens, and no forwarded caller is trusted.
    /// </summary>
    public string? CallerSecret { get; set; }

    /// <summary>How far a signature's timestamp may be from now (clock skew and time in flight).</summary>
    public TimeSpan CallerTolerance { get; set; } = TimeSpan.FromMinutes(5);
}
