using Nexus.Server.Api.Mapping;
using System.Globalization;
using System.Text.Json;
using GraphQL;
using GraphQL.Types;
using Nexus.Server.Api;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Storage;
using Nexus.Workflows;

namespace Nexus.Server.GraphQl;

/// <summary>Workflows and runs: <c>workflows</c>, <c>workflow</c>, <c>runs</c>, <c>run</c> (with its steps) and
/// <c>startWorkflow</c>. As on REST, a caller limited to queues may use none of them (a workflow's steps may run in any
/// queue).</summary>
internal static class WorkflowFields
{
    public static void AddQueries(ObjectGraphType query)
    {
        query.Field<List<WorkflowResponse>>("workflows", nullable: false).Description("Every workflow (its latest version).")
            .ResolveAsync(async c =>
            {
                Unscoped(c, Right.Read);
                var list = await c.Service<INexusWorkflows>().ListAsync(c.Aborted());
                return list.Select(w => WorkflowMapping.ToResponse(w)).ToList();
            });
        query.Field<WorkflowResponse>("workflow", nullable: true).Description("A workflow's latest version (or the given one), or null.")
            .Argument<NonNullGraphType<StringGraphType>>("name").Argument<IntGraphType>("version")
            .ResolveAsync(async c =>
            {
                Unscoped(c, Right.Read);
                var found = await c.Service<INexusWorkflows>().GetAsync(c.GetArgument<string>("name"), c.GetArgument<int?>("version"), c.Aborted());
                return found is null ? null : WorkflowMapping.ToResponse(found);
            });
        query.Field<RunListResponse>("runs", nullable: false).Description("Runs, newest first; page with before = the previous page's next.")
            .Argument<StringGraphType>("workflow").Argument<StringGraphType>("state").Argument<StringGraphType>("before").Argument<IntGraphType>("limit")
            .ResolveAsync(async c =>
            {
                Unscoped(c, Right.Read);
                var page = await c.Service<INexusWorkflows>().ListRunsAsync(new RunQuery
                {
                    Workflow = QueryValues.Text(c.GetArgument<string?>("workflow"), "workflow", 128),
                    State = RunState(c.GetArgument<string?>("state")),
                    Before = QueryValues.Cursor(c.GetArgument<string?>("before")),
                    Limit = Paging.Limit(c, 50),
                }, c.Aborted());
                return new RunListResponse([.. page.Items.Select(r => RunMapping.ToResponse(r))], page.Next?.ToString(CultureInfo.InvariantCulture));
            });
        query.Field<RunResponse>("run", nullable: true).Description("A run with every step's state, attempts and output, or null.")
            .Argument<NonNullGraphType<LongGraphType>>("id")
            .ResolveAsync(async c =>
            {
                Unscoped(c, Right.Read);
                var details = await c.Service<INexusWorkflows>().GetRunAsync(c.GetArgument<long>("id"), c.Aborted());
                return details is null ? null : RunMapping.ToResponse(details);
            });
    }

    public static void AddMutations(ObjectGraphType mutation)
    {
        mutation.Field<StartRunResponse>("startWorkflow", nullable: false).Description("Start a run (created is false when the idempotency key returned an existing run).")
            .Argument<NonNullGraphType<StringGraphType>>("name").Argument<JsonGraphType>("input").Argument<StringGraphType>("idempotencyKey").Argument<IntGraphType>("version")
            .ResolveAsync(async c =>
            {
                Unscoped(c, Right.Submit);
                var input = c.GetArgument<JsonElement?>("input");
                if (input is { } i && i.ValueKind != JsonValueKind.Object) throw ApiProblemException.Invalid("input", "must be a JSON object");
                try
                {
                    var started = await c.Service<INexusWorkflows>().StartAsync(c.GetArgument<string>("name"), input?.GetRawText(),
                        new StartRunOptions { IdempotencyKey = c.GetArgument<string?>("idempotencyKey"), Version = c.GetArgument<int?>("version") }, c.Aborted());
                    return new StartRunResponse(started.RunId, started.Version, started.Created);
                }
                catch (UnknownWorkflowException ex)
                {
                    throw ApiProblemException.NotFound(ex.Message);
                }
            });
    }

    private static void Unscoped(IResolveFieldContext c, Right right)
    {
        c.Require(right);
        WorkflowEndpoints.EnsureUnscoped(c.Http());
    }

    private static RunState? RunState(string? state)
    {
        if (state is null) return null;
        return Enum.GetValues<RunState>().Where(s => string.Equals(s.ToName(), state, StringComparison.OrdinalIgnoreCase)).Cast<RunState?>().FirstOrDefault()
            ?? throw ApiProblemException.Invalid("state", $"'{QueryValues.Shorten(state)}' is not a run state (expected one of: {string.Join(", ", Enum.GetValues<RunState>().Select(s => s.ToName()))})");
    }
}
