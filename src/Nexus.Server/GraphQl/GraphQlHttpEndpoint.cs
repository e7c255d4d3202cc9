using System.Text.Json;
using GraphQL;
using GraphQL.Transport;

namespace Nexus.Server.GraphQl;

/// <summary><c>/graphql</c> over plain HTTP: <c>POST</c> with a JSON body <c>{"query","variables","operationName"}</c>
/// runs queries and mutations; <c>GET ?query=</c> runs queries only; a WebSocket upgrade goes to
/// <see cref="GraphQlWebSocket"/>. An answer that did not execute (bad JSON, no query, a parse or validation error)
/// is 400; field errors are in a 200 answer's <c>errors</c>, with REST's codes.</summary>
internal static class GraphQlHttpEndpoint
{
    public const string ContentType = "application/json; charset=utf-8";

    public static async Task HandleAsync(HttpContext http, GraphQlExecutor executor, IGraphQLTextSerializer serializer, GraphQlWebSocket sockets)
    {
        if (http.WebSockets.IsWebSocketRequest)
        {
            await sockets.RunAsync(http);
            return;
        }
        GraphQLRequest? request;
        var isPost = HttpMethods.IsPost(http.Request.Method);
        if (isPost)
        {
            if (http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
            {
                await WriteAsync(http, serializer, GraphQlExecutor.Failure("body: send the request as JSON with Content-Type: application/json.", "unsupported-media-type"), 415);
                return;
            }
            try
            {
                using var reader = new StreamReader(http.Request.Body);
                var text = await reader.ReadToEndAsync(http.RequestAborted);
                request = serializer.Deserialize<GraphQLRequest>(text);
            }
            catch (Exception ex) when (ex is JsonException or GraphQL.Validation.InvalidVariableError or FormatException or InvalidOperationException)
            {
                await WriteAsync(http, serializer, GraphQlExecutor.Failure($"body: is not a GraphQL request object ({ex.Message}).", "invalid-json"), 400);
                return;
            }
        }
        else
        {
            var query = http.Request.Query;
            Inputs? variables = null;
            if (query["variables"].FirstOrDefault() is { Length: > 0 } v)
            {
                try
                {
                    variables = serializer.Deserialize<Inputs>(v);
                }
                catch (JsonException ex)
                {
                    await WriteAsync(http, serializer, GraphQlExecutor.Failure($"variables: is not a JSON object ({ex.Message}).", "invalid-json"), 400);
                    return;
                }
            }
            request = new GraphQLRequest { Query = query["query"].FirstOrDefault(), OperationName = query["operationName"].FirstOrDefault(), Variables = variables };
        }
        var result = await executor.ExecuteAsync(http, request, allowSubscription: false, allowMutation: isPost, http.RequestAborted);
        await WriteAsync(http, serializer, result, result.Executed ? 200 : 400);
    }

    private static async Task WriteAsync(HttpContext http, IGraphQLTextSerializer serializer, ExecutionResult result, int status)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = ContentType;
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsync(serializer.Serialize(result), http.RequestAborted);
    }
}
