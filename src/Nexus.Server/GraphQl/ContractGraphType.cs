using System.Reflection;
using System.Text.Json.Serialization;
using GraphQL.Types;

namespace Nexus.Server.GraphQl;

/// <summary>An output type made from one of the REST answers (<c>Nexus.Contracts</c>): the same fields,
/// camel-cased, so GraphQL and REST show one shape. Named after the contract without its <c>Response</c> suffix.</summary>
internal sealed class ContractGraphType<T> : AutoRegisteringObjectGraphType<T>
{
    public ContractGraphType()
    {
        Name = ContractNames.Of(typeof(T));
    }

    // Only the record's properties as they are on the wire: not its compiler-made methods (Deconstruct, <Clone>$, …),
    // nor the conveniences for .NET callers that JSON leaves out ([JsonIgnore], e.g. TaskResponse.IsFinished).
    protected override IEnumerable<MemberInfo> GetRegisteredMembers() =>
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract" && p.GetCustomAttribute<JsonIgnoreAttribute>() is null);
}
