using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Reliability;

/// <summary>
/// The method behind each function that functions.metadata names: found by its <c>[Function(name)]</c> attribute in the
/// app's assembly, created as the worker creates it (constructor injection from the app's container) and called with
/// arguments chosen by parameter type and name.
/// </summary>
public static class FunctionMethods
{
    private static readonly Lazy<Dictionary<string, MethodInfo>> ByName = new(() =>
        typeof(SubmitOrderFunction).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(method => (method, attribute: method.GetCustomAttribute<FunctionAttribute>()))
            .Where(pair => pair.attribute is not null)
            .ToDictionary(pair => pair.attribute!.Name, pair => pair.method, StringComparer.Ordinal));

    public static MethodInfo Find(string functionName) =>
        ByName.Value.TryGetValue(functionName, out var method)
            ? method
            : throw new InvalidOperationException($"functions.metadata names {functionName}, but no method has [Function(\"{functionName}\")].");

    /// <summary>
    /// Calls the function <paramref name="functionName"/> with <paramref name="arguments"/>: each parameter takes the
    /// argument assignable to its type, and a string parameter the argument keyed by its name (a route value), a CancellationToken the one given or none. The
    /// result is awaited when it is a task. An exception the function throws propagates unwrapped.
    /// </summary>
    public static async Task<object?> InvokeAsync(
        ShopTestServices shop,
        string functionName,
        IReadOnlyDictionary<string, string> routeValues,
        params object[] arguments)
    {
        var method = Find(functionName);
        var target = method.IsStatic ? null : Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance(shop.Provider, method.DeclaringType!);
        var values = method.GetParameters().Select(parameter => ArgumentFor(functionName, parameter, routeValues, arguments)).ToArray();
        object? result;
        try
        {
            result = method.Invoke(target, values);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }

        if (result is not Task task)
        {
            return result;
        }

        await task;
        return task.GetType().IsGenericType ? task.GetType().GetProperty("Result")!.GetValue(task) : null;
    }

    private static object? ArgumentFor(string functionName, ParameterInfo parameter, IReadOnlyDictionary<string, string> routeValues, object[] arguments)
    {
        if (parameter.ParameterType == typeof(string))
        {
            return routeValues.TryGetValue(parameter.Name!, out var value)
                ? value
                : throw new InvalidOperationException($"{functionName} has a parameter '{parameter.Name}' but the test gave no route value for it.");
        }

        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return arguments.OfType<CancellationToken>().FirstOrDefault();
        }

        return arguments.FirstOrDefault(parameter.ParameterType.IsInstanceOfType)
            ?? throw new InvalidOperationException($"{functionName} takes a {parameter.ParameterType.Name} '{parameter.Name}' that the test does not supply.");
    }
}
