using GraphQL;
using GraphQL.Execution;
using Nexus.Server.Api;

namespace Nexus.Server.GraphQl;

/// <summary>Turns what a resolver throws into a GraphQL error with the same code, message and field as REST's
/// problem+json (see <see cref="ProblemExceptionHandler"/>); the HTTP status REST would answer goes in
/// <c>extensions.status</c>. Anything unexpected is logged and answered without its details.</summary>
internal static class GraphQlErrors
{
    public static Task HandleAsync(UnhandledExceptionContext context, ILogger logger)
    {
        var error = Describe(context.OriginalException);
        if (error is null)
        {
            logger.LogError(context.OriginalException, "Unhandled error in GraphQL field {Field}.", context.FieldContext?.FieldDefinition.Name);
            error = Error(500, "internal", "An unexpected error occurred; the server log has the details.", null);
        }
        context.Exception = error;
        context.ErrorMessage = error.Message;
        return Task.CompletedTask;
    }

    /// <summary>The GraphQL error for one of Nexus's own exceptions, or null for an unexpected one.</summary>
    public static ExecutionError? Describe(Exception exception) => exception switch
    {
        ExecutionError e => e,
        ApiProblemException ex => Error(ex.Status, ex.Code, ex.Message, ex.Field),
        TaskValidationException ex => Error(400, "validation", ex.Message, ex.Field),
        UnknownPluginException ex => Error(400, "unknown-plugin", $"plugin: {ex.Message}", "plugin"),
        QueueFullException ex => Error(429, "queue-full", $"queue: {ex.Message}", "queue"),
        Nexus.State.StateConflictException ex => Error(409, ex.Code, ex.Message, "expectedVersion",
            ("currentVersion", ex.CurrentVersion), ("expectedVersion", ex.ExpectedVersion)),
        Nexus.Documents.DocumentNotFoundException ex => Error(404, ex.Code, ex.Message, null),
        Nexus.Documents.JsonPatchException ex => Error(ex.Code == "patch-failed" ? 409 : 400, ex.Code, ex.Message, ex.Field),
        Nexus.Filters.FilterException ex => Error(400, ex.Code, ex.Message, "filter"),
        Nexus.State.StateNotFoundException ex => Error(404, ex.Code, ex.Message, null),
        StoreException { Code: "namespace-not-found" } ex => Error(404, ex.Code, "namespace: " + ex.Message, "namespace"),
        StoreException ex => Error(503, "store-unavailable", ex.Message, null),
        _ => null,
    };

    private static ExecutionError Error(int status, string code, string message, string? field, params (string Key, object? Value)[] more)
    {
        var error = new ExecutionError(message) { Code = code };
        error.Extensions ??= new Dictionary<string, object?>();
        error.Extensions["status"] = status;
        if (field is not null) error.Extensions["field"] = field;
        foreach (var (key, value) in more) error.Extensions[key] = value;
        return error;
    }
}
