using System.Text.Json;
using GraphQL.Types;

namespace Nexus.Server.GraphQl;

/// <summary>Maps the CLR types of REST answers to GraphQL types: contract records to <see cref="ContractGraphType{T}"/>,
/// JSON values and string maps (headers, metadata) to the <c>JSON</c> scalar.</summary>
internal sealed class ContractMappingProvider : IGraphTypeMappingProvider
{
    private const string ContractNamespace = "Nexus.Contracts";

    public Type? GetGraphTypeFromClrType(Type clrType, bool isInputType, Type? preferredType)
    {
        if (preferredType is not null) return preferredType;
        if (clrType == typeof(JsonElement)) return typeof(JsonGraphType);
        if (clrType.IsGenericType && clrType.GetGenericTypeDefinition() is var g
            && (g == typeof(IReadOnlyDictionary<,>) || g == typeof(IDictionary<,>) || g == typeof(Dictionary<,>)))
        {
            return typeof(JsonGraphType);
        }
        if (!isInputType && clrType.IsClass && clrType.Namespace == ContractNamespace) return typeof(ContractGraphType<>).MakeGenericType(clrType);
        return null;
    }
}
