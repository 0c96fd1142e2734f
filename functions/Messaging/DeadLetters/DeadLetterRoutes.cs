namespace Shop.Functions.Messaging.DeadLetters;

/// <summary>
/// Routes of the dead-letter API (under the host's <c>api</c> prefix), behind the admin (master) key. Not under
/// <c>admin/</c>: the Functions host reserves every route that starts with "admin" or "runtime" for its own API, whatever
/// the route prefix, and puts a function that claims one in error at startup.
/// </summary>
public static class DeadLetterRoutes
{
    public const string List = "ops/dead-letters/{entity}";
    public const string Replay = "ops/dead-letters/{entity}/{sequenceNumber}/replay";
}
