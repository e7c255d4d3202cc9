using GraphQL.Validation;
using GraphQLParser.AST;

namespace Nexus.Server.GraphQl;

/// <summary>Refuses operations a transport does not carry: subscriptions need the WebSocket (graphql-transport-ws),
/// and mutations need POST (never GET), so a link or an image cannot change anything.</summary>
internal sealed class OperationKindRule(bool allowSubscription, bool allowMutation) : ValidationRuleBase
{
    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context)
    {
        var operation = context.Operation;
        if (operation.Operation == OperationType.Subscription && !allowSubscription)
        {
            context.ReportError(new ValidationError(context.Document.Source, "subscription-needs-websocket",
                "subscription: subscriptions run over a WebSocket at /graphql with the graphql-transport-ws protocol, not over a plain HTTP request.", operation)
            { Code = "subscription-needs-websocket" });
        }
        if (operation.Operation == OperationType.Mutation && !allowMutation)
        {
            context.ReportError(new ValidationError(context.Document.Source, "mutation-needs-post", "mutation: send mutations with POST.", operation) { Code = "mutation-needs-post" });
        }
        return default;
    }
}
