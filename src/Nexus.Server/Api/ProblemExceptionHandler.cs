using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Nexus.Server.Hosting;

namespace Nexus.Server.Api;

/// <summary>Maps every exception that leaves an endpoint to problem+json: Nexus's own errors to 400/404/409/429/503
/// with a stable code and the field at fault, anything unexpected to a 500 that points at the server log.</summary>
internal sealed class ProblemExceptionHandler(IOptions<NexusServerOptions> options, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var retryAfter = options.Value.RetryAfterSeconds;
        switch (exception)
        {
            case ApiProblemException ex:
                await Problems.WriteAsync(context, ex);
                return true;
            case TaskValidationException ex:
                await Problems.WriteAsync(context, 400, "validation", "Invalid request", ex.Message, ex.Field);
                return true;
            case UnknownPluginException ex:
                await Problems.WriteAsync(context, 400, "unknown-plugin", "Unknown plugin", $"plugin: {ex.Message}", "plugin");
                return true;
            case QueueFullException ex:
                await Problems.WriteAsync(context, 429, "queue-full", "Queue full", $"queue: {ex.Message}", "queue", retryAfter);
                return true;
            case Nexus.State.StateConflictException ex:
                await Problems.WriteAsync(context, 409, ex.Code, "Version conflict", ex.Message, "expectedVersion",
                    extensions: new Dictionary<string, object?> { ["currentVersion"] = ex.CurrentVersion, ["expectedVersion"] = ex.ExpectedVersion });
                return true;
            case Nexus.Documents.DocumentNotFoundException ex:
                await Problems.WriteAsync(context, 404, ex.Code, "Not found", ex.Message);
                return true;
            case Nexus.Documents.JsonPatchException ex:
                await Problems.WriteAsync(context, ex.Code == "patch-failed" ? 409 : 400, ex.Code, ex.Code == "patch-failed" ? "Patch failed" : "Invalid patch", ex.Message, ex.Field);
                return true;
            case Nexus.Filters.FilterException ex:
                await Problems.WriteAsync(context, 400, ex.Code, "Invalid filter", ex.Message, "filter");
                return true;
            case Nexus.Live.LogCompactedException ex:
                await Problems.WriteAsync(context, 410, ex.Code, "Resync needed", "after: " + ex.Message, "after",
                    extensions: new Dictionary<string, object?> { ["horizon"] = ex.Horizon.ToString(), ["after"] = ex.After.ToString() });
                return true;
            case Nexus.State.StateNotFoundException ex:
                await Problems.WriteAsync(context, 404, ex.Code, "Not found", ex.Message);
                return true;
            case StoreException { Code: "namespace-not-found" } ex:
                await Problems.WriteAsync(context, 404, ex.Code, "Not found", "namespace: " + ex.Message, "namespace");
                return true;
            case StoreException { Code: "subscription-exists" } ex:
                await Problems.WriteAsync(context, 409, ex.Code, "Conflict", "name: " + ex.Message, "name");
                return true;
            case StoreException ex:
                logger.LogError(ex, "The store is unavailable.");
                await Problems.WriteAsync(context, 503, "store-unavailable", "Store unavailable", ex.Message, null, retryAfter);
                return true;
            case BadHttpRequestException ex:
                await Problems.WriteAsync(context, RequestJson.FromBadRequest(ex, context));
                return true;
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                context.Response.StatusCode = 499; // client closed the request; nobody reads an answer
                return true;
            default:
                logger.LogError(exception, "Unhandled error in {Method} {Path}.", context.Request.Method, context.Request.Path);
                await Problems.WriteAsync(context, 500, "internal", "Internal error",
                    $"An unexpected error occurred (trace id {System.Diagnostics.Activity.Current?.Id ?? context.TraceIdentifier}); the server log has the details.");
                return true;
        }
    }
}
