using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace StreamingApi.Problems;

/// <summary>
/// Says which query value could not be bound when a request delegate generated at compile time gave up on it. Such
/// a delegate answers a number that does not parse (<c>?maxSeconds=abc</c>) with a bare 400, without the exception
/// that <see cref="RouteHandlerOptions.ThrowOnBadRequest"/> asks for; the status code pages then make its problem
/// details, and this names the parameter and the value in them, as the binder's exception does for everything else.
/// </summary>
internal static class UnparsedQueryValues
{
    public static void Describe(ProblemDetailsContext context)
    {
        if (context.ProblemDetails is not { Status: StatusCodes.Status400BadRequest, Detail: null } || context.Exception is not null) return;
        var http = context.HttpContext;
        if (http.GetEndpoint()?.Metadata.GetOrderedMetadata<IParameterBindingMetadata>() is not { Count: > 0 } parameters) return;
        foreach (var parameter in parameters)
        {
            if (!parameter.HasTryParse) continue;
            var name = parameter.ParameterInfo.GetCustomAttribute<FromQueryAttribute>()?.Name ?? parameter.Name;
            var value = http.Request.Query[name].ToString();
            if (value.Length == 0 || Parses(parameter.ParameterInfo.ParameterType, value)) continue;
            context.ProblemDetails.Detail = $"Failed to bind parameter \"{TypeName(parameter.ParameterInfo.ParameterType)} {parameter.Name}\" from \"{value}\".";
            return;
        }
    }

    private static bool Parses(Type type, string value)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string)) return true;
        const BindingFlags Static = BindingFlags.Public | BindingFlags.Static;
        if (target.GetMethod("TryParse", Static, [typeof(string), typeof(IFormatProvider), target.MakeByRefType()]) is { } withCulture)
            return (bool)withCulture.Invoke(null, [value, CultureInfo.InvariantCulture, null])!;
        // bool has only this one
        if (target.GetMethod("TryParse", Static, [typeof(string), target.MakeByRefType()]) is { } plain)
            return (bool)plain.Invoke(null, [value, null])!;
        return true; // not a value this can judge: the problem stays as it is
    }

    private static string TypeName(Type type) =>
        Nullable.GetUnderlyingType(type) is { } underlying ? $"{underlying.Name}?" : type.Name;
}
