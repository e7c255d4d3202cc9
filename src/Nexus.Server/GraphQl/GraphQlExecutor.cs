using GraphQL;
using GraphQL.Transport;
using GraphQL.Types;
using GraphQLParser.AST;
using Microsoft.Extensions.Options;

namespace Nexus.Server.GraphQl;

/// <summary>Runs one GraphQL request for an HTTP request or a WebSocket connection: the schema, the caller (from the
/// request's authentication), the limits and the error mapping every transport shares.</summary>
internal sealed class GraphQlExecutor(IDocumentExecuter<NexusSchema> executer, IOptions<GraphQlOptions> options, ILogger<GraphQlExecutor> logger)
{
    /// <summary>Executes <paramref name="request"/>; a problem with the request itself (no query, too long, a
    /// subscription where none may run) is answered as a GraphQL error naming it.</summary>
    public async Task<ExecutionResult> ExecuteAsync(HttpContext http, GraphQLRequest? request, bool allowSubscription, bool allowMutation, CancellationToken cancellationToken)
    {
        if (request is null || string.IsNullOrWhiteSpace(request.Query)) return Failure("query: is required (a GraphQL document).", "query-required");
        if (request.Query.Length > options.Value.MaxQueryLength)
        {
            return Failure($"query: is {request.Query.Length} characters long; the limit is {options.Value.MaxQueryLength}.", "query-too-long");
        }
        var result = await executer.ExecuteAsync(o =>
        {
            o.Query = request.Query;
            o.OperationName = request.OperationName;
            o.Variables = request.Variables;
            o.Extensions = request.Extensions;
            o.User = http.User;
            o.UserContext = new GraphQlRequestContext(http);
            o.RequestServices = http.RequestServices;
            o.CancellationToken = cancellationToken;
            o.UnhandledExceptionDelegate = context => GraphQlErrors.HandleAsync(context, logger);
            o.ValidationRules = GraphQL.Validation.DocumentValidator.CoreRules.Append(new OperationKindRule(allowSubscription, allowMutation));
        }).ConfigureAwait(false);
        return result;
    }

    public static ExecutionResult Failure(string message, string code)
    {
        var error = new ExecutionError(message) { Code = code };
        return new ExecutionResult { Errors = [error], Executed = false };
    }
}
