using GraphQL.Types;

namespace Nexus.Server.GraphQl;

/// <summary>The root <c>Query</c> type: every area's read fields.</summary>
internal sealed class QueryType : ObjectGraphType
{
    public QueryType()
    {
        Name = "Query";
        TaskFields.AddQueries(this);
        StateFields.AddQueries(this);
        DocumentFields.AddQueries(this);
        WorkflowFields.AddQueries(this);
        EventFields.AddQueries(this);
        RegistryFields.AddQueries(this);
    }
}
