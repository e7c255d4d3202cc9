using System.Reflection;
using GraphQL.Types;

namespace Nexus.Server.GraphQl;

/// <summary>An output type made from one of the REST answers (<c>Nexus.Server.Api.Contracts</c>): the same fields,
/// camel-cased, so GraphQL and REST show one shape. Named after the contract without its <c>Response</c> suffix.</summary>
internal sealed class ContractGraphType<T> : AutoRegisteringObjectGraphType<T>
{
    public ContractGraphType()
    {
        Name = ContractNames.Of(typeof(T));
    }

    // Only the record's properties: not its compiler-made methods (Deconstruct, <Clone>$, …).
    protected override IEnumerable<MemberInfo> GetRegisteredMembers() =>
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract");
}
