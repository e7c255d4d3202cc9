using GraphQL.Types;

namespace Nexus.Server.GraphQl;

/// <summary>The root <c>Mutation</c> type: each needs the role its REST route needs.</summary>
internal sealed class MutationType : ObjectGraphType
{
    public MutationType()
    {
        Name = "Mutation";
        EventFields.AddMutations(this);
        TaskFields.AddMutations(this);
        StateFields.AddMutations(this);
        DocumentFields.AddMutations(this);
        WorkflowFields.AddMutations(this);
    }
}
