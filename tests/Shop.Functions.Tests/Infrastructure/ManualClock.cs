namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// The app's clock under a test's control: <see cref="GetUtcNow"/> returns <see cref="Now"/>, which the test moves.
/// Timers and delays still run in real time (the base class's), so nothing waits forever.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
