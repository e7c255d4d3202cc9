using System.Text.Json;
using GraphQL;
using GraphQL.Types;
using Nexus.Events;
using Nexus.Live;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Server.Api;
using Nexus.Hosting;
using Microsoft.Extensions.Options;

namespace Nexus.Server.GraphQl;

/// <summary>The root <c>Subscription</c> type: <c>events</c> follows one namespace's log from a cursor (or from now),
/// with a topic pattern and an optional JSON filter on the event document, on the live layer's one reader per namespace;
/// <c>task</c> follows one task's state until it finishes (<see cref="TaskWatchStream"/>), with the REST route's rights.
/// Served over graphql-transport-ws at /graphql.</summary>
internal sealed class SubscriptionType : ObjectGraphType
{
    public SubscriptionType()
    {
        Name = "Subscription";
        Field<EventResponse>("events", nullable: false)
            .Description("Events of a namespace in log order: after the given cursor, or only new ones.")
            .Argument<NonNullGraphType<StringGraphType>>("namespace")
            .Argument<StringGraphType>("pattern", a => a.Description = "A topic pattern; left out: '>', every topic but Nexus's own '$' ones ('$state.>', '$docs.>' select those).")
            .Argument<JsonGraphType>("filter", a => a.Description = "A JSON filter on the event document {namespace, topic, position, priority, key, time, headers, payload} (docs/filters.md), as for event subscriptions.")
            .Argument<StringGraphType>("after", a => a.Description = "A cursor (e.g. 0-42) or position to resume after; left out: only new events.")
            .ResolveStreamAsync(async c =>
            {
                var ns = EventFields.Namespace(c, Right.Read);
                var pattern = c.GetArgument<string?>("pattern") ?? ">";
                var filter = c.GetArgument<JsonElement?>("filter") is { } f ? f.GetRawText() : null;
                var channel = LiveChannel.Parse("events:" + pattern, filter, field: "pattern", filterField: "filter");
                var live = c.Service<INexusLive>();
                // "From now" is fixed here, before the subscription's answer: whatever the client sends next on the
                // connection (a mutation, say) comes after it.
                var after = c.GetArgument<string?>("after") is { } a ? EventFields.Cursor(a, "after") : await live.HeadAsync(ns, c.Aborted());
                return new EventLogStream(live, ns, after, channel, c.Service<ILoggerFactory>().CreateLogger<EventLogStream>());
            });
        Field<TaskResponse>("task", nullable: false)
            .Description("A task now, then again on every change of its state, attempt, progress, result or errors, until it finished (not found when it lies outside your queues).")
            .Argument<NonNullGraphType<LongGraphType>>("id")
            .ResolveStreamAsync(async c =>
            {
                c.Require(Right.Read);
                var tasks = c.Service<INexusTasks>();
                // The REST route's check: a task outside the caller's queues answers as if it did not exist.
                var task = await TaskEndpoints.LoadVisibleAsync(c.Http(), tasks, c.GetArgument<long>("id"));
                return new TaskWatchStream(tasks, task, c.Service<IOptions<GraphQlOptions>>().Value.TaskWatchInterval, c.Service<TimeProvider>(),
                    c.Service<ILoggerFactory>().CreateLogger<TaskWatchStream>());
            });
    }
}
