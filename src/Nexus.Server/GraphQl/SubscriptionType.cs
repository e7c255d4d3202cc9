using System.Text.Json;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.Options;
using Nexus.Events;
using Nexus.Filters;
using Nexus.Server.Api.Contracts;
using Nexus.Server.Auth;
using Nexus.Storage;

namespace Nexus.Server.GraphQl;

/// <summary>The root <c>Subscription</c> type: <c>events</c> follows one namespace's log from a cursor (or from now),
/// with a topic pattern and an optional JSON filter on the payload. Served over graphql-transport-ws at /graphql.</summary>
internal sealed class SubscriptionType : ObjectGraphType
{
    public SubscriptionType()
    {
        Name = "Subscription";
        Field<EventResponse>("events", nullable: false)
            .Description("Events of a namespace in log order: after the given cursor, or only new ones.")
            .Argument<NonNullGraphType<StringGraphType>>("namespace")
            .Argument<StringGraphType>("pattern", a => a.Description = "A topic pattern; every topic when left out.")
            .Argument<JsonGraphType>("filter", a => a.Description = "A JSON filter on the payload (docs/filters.md).")
            .Argument<StringGraphType>("after", a => a.Description = "A cursor (e.g. 0-42) or position to resume after; left out: only new events.")
            .ResolveStreamAsync(async c =>
            {
                var ns = EventFields.Namespace(c, Right.Read);
                var topics = c.GetArgument<string?>("pattern") is { } p ? TopicPattern.Parse(p, "pattern") : null;
                var filter = c.GetArgument<JsonElement?>("filter") is { } f ? JsonFilter.Parse(f) : null;
                var after = c.GetArgument<string?>("after") is { } a
                    ? EventFields.Cursor(a, "after")
                    : await c.Service<INexusStore>().Events.CursorAtAsync(ns, SubscriptionStart.New, c.Aborted());
                var options = c.Service<IOptions<GraphQlOptions>>().Value;
                return new EventLogStream(c.Service<INexusEvents>(), c.Service<TimeProvider>(), options.SubscriptionPollInterval, ns, after, topics, filter,
                    c.Service<ILoggerFactory>().CreateLogger<EventLogStream>());
            });
    }
}
