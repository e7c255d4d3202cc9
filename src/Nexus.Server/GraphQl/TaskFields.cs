using Nexus.Server.Api.Mapping;
using GraphQL;
using GraphQL.Types;
using Nexus.Plugins;
using Nexus.Server.Api;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Storage;
using Nexus.Hosting;
using Nexus.Tasks;

namespace Nexus.Server.GraphQl;

/// <summary>Tasks: <c>task</c>, <c>tasks</c> (the REST list's filters, keyset paging with <c>before</c>),
/// <c>submitTask</c> and <c>cancelTask</c>. They call what <see cref="TaskEndpoints"/> calls, with its checks.</summary>
internal static class TaskFields
{
    public static void AddQueries(ObjectGraphType query)
    {
        query.Field<TaskResponse>("task", nullable: false).Description("A task by id (not found when it lies outside your queues).")
            .Argument<NonNullGraphType<LongGraphType>>("id")
            .ResolveAsync(async c =>
            {
                c.Require(Right.Read);
                return TaskMapping.ToResponse(await TaskEndpoints.LoadVisibleAsync(c.Http(), c.Service<INexusTasks>(), c.GetArgument<long>("id")));
            });
        query.Field<TaskListResponse>("tasks", nullable: false).Description("Tasks, newest first; page with before = the previous page's next.")
            .Argument<StringGraphType>("state").Argument<StringGraphType>("plugin").Argument<StringGraphType>("queue").Argument<StringGraphType>("tag")
            .Argument<DateTimeOffsetGraphType>("createdFrom").Argument<DateTimeOffsetGraphType>("createdBefore")
            .Argument<StringGraphType>("before").Argument<IntGraphType>("limit")
            .ResolveAsync(async c =>
            {
                var caller = c.Require(Right.Read);
                var query = new TaskQuery
                {
                    State = QueryValues.State(c.GetArgument<string?>("state")),
                    Plugin = QueryValues.Text(c.GetArgument<string?>("plugin"), "plugin", 128),
                    Queue = caller.ScopeQueue(QueryValues.Queue(c.GetArgument<string?>("queue"))),
                    Tag = QueryValues.Text(c.GetArgument<string?>("tag"), "tag", 64),
                    CreatedFrom = c.GetArgument<DateTimeOffset?>("createdFrom"),
                    CreatedBefore = c.GetArgument<DateTimeOffset?>("createdBefore"),
                    BeforeId = QueryValues.Cursor(c.GetArgument<string?>("before")),
                    Limit = Paging.Limit(c, 50),
                };
                return await TaskEndpoints.Page(c.Service<INexusTasks>(), query, c.Aborted());
            });
    }

    public static void AddMutations(ObjectGraphType mutation)
    {
        mutation.Field<SubmitResponse>("submitTask", nullable: false).Description("Submit a task (created is false when uniqueKey matched an existing one).")
            .Argument<NonNullGraphType<StringGraphType>>("plugin").Argument<JsonGraphType>("args").Argument<StringGraphType>("queue")
            .Argument<IntGraphType>("priority").Argument<DateTimeOffsetGraphType>("runAt").Argument<StringGraphType>("delay")
            .Argument<IntGraphType>("maxAttempts").Argument<LongGraphType>("timeoutMs").Argument<StringGraphType>("uniqueKey")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("tags")
            .ResolveAsync(async c =>
            {
                var caller = c.Require(Right.Submit);
                var body = new SubmitTaskRequest
                {
                    Plugin = c.GetArgument<string>("plugin"),
                    Args = c.GetArgument<System.Text.Json.JsonElement?>("args") ?? System.Text.Json.JsonSerializer.SerializeToElement(new { }),
                    Queue = c.GetArgument<string?>("queue"),
                    Priority = c.GetArgument<int?>("priority"),
                    RunAt = c.GetArgument<DateTimeOffset?>("runAt"),
                    Delay = c.GetArgument<string?>("delay"),
                    MaxAttempts = c.GetArgument<int?>("maxAttempts"),
                    TimeoutMs = c.GetArgument<long?>("timeoutMs"),
                    UniqueKey = c.GetArgument<string?>("uniqueKey"),
                    Tags = c.GetArgument<List<string>?>("tags"),
                };
                var registry = c.Service<PluginRegistry>();
                var external = await SubmitMapping.ExternalQueuesAsync(caller, [body.Plugin], registry, c.Service<INexusStore>(), c.Aborted());
                var request = SubmitMapping.ToRequest(body, "", caller, registry, external);
                try
                {
                    var result = await c.Service<INexusTasks>().SubmitJsonAsync(request.Plugin, request.ArgsJson, request.Options, c.Aborted());
                    return new SubmitResponse(result.Id, result.Created);
                }
                catch (TaskValidationException ex)
                {
                    throw SubmitMapping.Translate(ex, "", false);
                }
                catch (UnknownPluginException ex)
                {
                    throw SubmitMapping.UnknownPlugin(ex, "plugin", caller, registry, external);
                }
            });
        mutation.Field<TaskActionResponse>("cancelTask", nullable: false).Description("Cancel a task (outcome requested: a running one is asked to stop).")
            .Argument<NonNullGraphType<LongGraphType>>("id")
            .ResolveAsync(async c =>
            {
                c.Require(Right.Manage);
                var tasks = c.Service<INexusTasks>();
                var task = await TaskEndpoints.LoadVisibleAsync(c.Http(), tasks, c.GetArgument<long>("id"));
                return await tasks.CancelAsync(task.Id, c.Aborted()) switch
                {
                    CancelOutcome.Cancelled => new TaskActionResponse(task.Id, "cancelled"),
                    CancelOutcome.Requested => new TaskActionResponse(task.Id, "requested"),
                    CancelOutcome.AlreadyFinished => throw ApiProblemException.Conflict("task-finished", $"Task {task.Id} already finished; there is nothing to cancel."),
                    _ => throw ApiProblemException.NotFound($"No task with id {task.Id}."),
                };
            });
    }
}
