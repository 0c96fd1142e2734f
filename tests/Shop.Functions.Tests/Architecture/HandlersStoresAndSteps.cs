using System.Reflection;
using System.Reflection.Emit;
using Shop.Functions.Orders.SubmitOrder;
using Xunit;

namespace Shop.Functions.Tests.Architecture;

/// <summary>
/// The layering rule: functions (triggers) bind and map; handlers, stores and the saga's steps hold the logic and know
/// nothing of the Functions worker or ASP.NET Core, so they can be called from a test, another host or a console. Read
/// from the compiled app: every type whose name ends in Handler, Store or Steps (with its nested and compiler-made
/// types: lambdas, async state machines) may not name a type of those assemblies in its signatures, base types,
/// attributes or the IL of its methods.
/// </summary>
public sealed class HandlersStoresAndSteps
{
    private static readonly string[] ForbiddenAssemblyPrefixes = ["Microsoft.Azure.Functions.Worker", "Microsoft.AspNetCore"];
    private static readonly string[] LogicSuffixes = ["Handler", "Store", "Steps"];

    public static TheoryData<string> LogicTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in AppTypes().Where(IsLogic).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Fact]
    public void TheRuleCoversTheAppsHandlersStoresAndSteps()
    {
        var names = AppTypes().Where(IsLogic).Select(t => t.Name).ToList();

        Assert.Contains("SubmitOrderHandler", names);
        Assert.Contains("OrderStore", names);
        Assert.Contains("FulfillmentSteps", names);
        Assert.True(names.Count >= 15, $"only {names.Count} handler, store and step types found: {string.Join(", ", names)}");
    }

    [Theory]
    [MemberData(nameof(LogicTypes))]
    public void NamesNoTypeOfTheFunctionsWorkerOrAspNetCore(string typeName)
    {
        var type = typeof(SubmitOrderHandler).Assembly.GetType(typeName, throwOnError: true)!;

        var references = ReferencesOf(type).Where(IsForbidden).Select(t => t.FullName ?? t.Name).Distinct().Order(StringComparer.Ordinal);

        Assert.Empty(references);
    }

    [Fact]
    public void FindsAReferenceHiddenInAnAsyncMethodBody()
    {
        // The check itself: a type of this test assembly that uses HttpContext only inside an async lambda is caught.
        Assert.Contains(ReferencesOf(typeof(Offender)), t => t == typeof(Microsoft.AspNetCore.Http.DefaultHttpContext));
    }

    private static Type[] AppTypes() => typeof(SubmitOrderHandler).Assembly.GetTypes();

    private static bool IsLogic(Type type) =>
        !type.IsNested && LogicSuffixes.Any(suffix => type.Name.EndsWith(suffix, StringComparison.Ordinal));

    private static bool IsForbidden(Type type) =>
        ForbiddenAssemblyPrefixes.Any(prefix => type.Assembly.GetName().Name!.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Every type the type names: signatures, base types, attributes, and the IL of its (and its nested types') methods.</summary>
    private static IEnumerable<Type> ReferencesOf(Type type)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var nested in type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
        {
            foreach (var reference in ReferencesOf(nested))
            {
                yield return reference;
            }
        }

        foreach (var named in Expand(type.BaseType).Concat(type.GetInterfaces().SelectMany(Expand)).Concat(AttributesOf(type)))
        {
            yield return named;
        }

        foreach (var field in type.GetFields(All))
        {
            foreach (var named in Expand(field.FieldType).Concat(AttributesOf(field)))
            {
                yield return named;
            }
        }

        foreach (var property in type.GetProperties(All))
        {
            foreach (var named in Expand(property.PropertyType))
            {
                yield return named;
            }
        }

        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            var signature = method.GetParameters().Select(p => p.ParameterType)
                .Concat(method is MethodInfo info ? [info.ReturnType] : []);
            foreach (var named in signature.SelectMany(Expand).Concat(AttributesOf(method))
                .Concat(method.GetParameters().SelectMany(AttributesOf)).Concat(BodyReferences(method)))
            {
                yield return named;
            }
        }
    }

    private static IEnumerable<Type> AttributesOf(ICustomAttributeProvider member) =>
        member is MemberInfo info ? info.CustomAttributes.Select(a => a.AttributeType)
        : member is ParameterInfo parameter ? parameter.CustomAttributes.Select(a => a.AttributeType)
        : [];

    private static IEnumerable<Type> Expand(Type? type)
    {
        if (type is null)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (var inner in Expand(type.GetElementType()))
            {
                yield return inner;
            }

            yield break;
        }

        yield return type;
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().Where(a => !a.IsGenericParameter).SelectMany(Expand))
            {
                yield return argument;
            }
        }
    }

    /// <summary>The types named by the metadata tokens in a method body (calls, fields, casts, newobj, ldtoken).</summary>
    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var module = method.Module;
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var opCode = il[at] == 0xFE ? TwoByte[il[at + 1]] : OneByte[il[at]];
            at += opCode.Size;
            var operandSize = OperandSize(opCode.OperandType, il, at);
            if (opCode.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                var token = BitConverter.ToInt32(il, at);
                MemberInfo? member = null;
                try
                {
                    member = module.ResolveMember(token, typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                }

                foreach (var named in member switch
                {
                    Type t => Expand(t),
                    FieldInfo f => Expand(f.DeclaringType).Concat(Expand(f.FieldType)),
                    MethodBase m => Expand(m.DeclaringType).Concat(m.GetParameters().SelectMany(p => Expand(p.ParameterType)))
                        .Concat(m is MethodInfo mi ? Expand(mi.ReturnType) : []),
                    _ => [],
                })
                {
                    yield return named;
                }
            }

            at += operandSize;
        }
    }

    private static int OperandSize(OperandType operand, byte[] il, int at) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };

    private static readonly OpCode[] OneByte = OpCodeTable(singleByte: true);
    private static readonly OpCode[] TwoByte = OpCodeTable(singleByte: false);

    private static OpCode[] OpCodeTable(bool singleByte)
    {
        var table = new OpCode[256];
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var opCode = (OpCode)field.GetValue(null)!;
            var value = (ushort)opCode.Value;
            if (singleByte && opCode.Size == 1)
            {
                table[value] = opCode;
            }
            else if (!singleByte && opCode.Size == 2)
            {
                table[value & 0xFF] = opCode;
            }
        }

        return table;
    }

    private sealed class Offender
    {
        public static async Task<int> CountAsync()
        {
            await Task.Yield();
            var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
            return context.Request.Headers.Count;
        }
    }
}
