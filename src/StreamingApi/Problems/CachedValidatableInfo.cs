using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Validation;

namespace StreamingApi.Problems;

/// <summary>
/// The validation resolvers of <see cref="ValidationOptions"/>, asked in their order as before, with each type's answer
/// kept once given. The source-generated resolver makes a type's description anew on every call, and the validation
/// filter asks for it on every request: the description of a stream's parameters (its properties, their attributes,
/// its base types) was made again for each stream started. A description is made of the type alone and never changes,
/// so one made once serves every request, as the runtime's own resolver keeps its own.
/// </summary>
public sealed class CachedValidatableInfo(IReadOnlyList<IValidatableInfoResolver> resolvers) : IValidatableInfoResolver
{
    private readonly ConcurrentDictionary<Type, IValidatableInfo?> _types = new();

    /// <summary>Puts the options' resolvers, in their order, behind one that keeps what they answer for each type.</summary>
    public static void Apply(ValidationOptions options)
    {
        if (options.Resolvers is [CachedValidatableInfo]) return;
        var resolvers = options.Resolvers.ToArray();
        options.Resolvers.Clear();
        options.Resolvers.Add(new CachedValidatableInfo(resolvers));
    }

    public bool TryGetValidatableTypeInfo(Type type, [NotNullWhen(true)] out IValidatableInfo? validatableInfo)
    {
        validatableInfo = _types.GetOrAdd(type, static (type, resolvers) =>
        {
            foreach (var resolver in resolvers)
                if (resolver.TryGetValidatableTypeInfo(type, out var info)) return info;
            return null;
        }, resolvers);
        return validatableInfo is not null;
    }

    /// <summary>Asked once per parameter, as endpoints are built: passed on as it is.</summary>
    public bool TryGetValidatableParameterInfo(ParameterInfo parameterInfo, [NotNullWhen(true)] out IValidatableInfo? validatableInfo)
    {
        foreach (var resolver in resolvers)
            if (resolver.TryGetValidatableParameterInfo(parameterInfo, out validatableInfo)) return true;
        validatableInfo = null;
        return false;
    }
}
