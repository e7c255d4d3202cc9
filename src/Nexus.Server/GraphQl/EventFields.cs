using System.Text.Json;
using GraphQL;
using GraphQL.Types;
using Nexus.Events;
using Nexus.Server.Api;
using Nexus.Contracts;
using Nexus.Server.Auth;

namespace Nexus.Server.GraphQl;

/// <summary>Events and namespaces: <c>events</c> (read the log after a cursor, optionally only topics matching a
/// pattern), <c>namespaces</c> (those you may use) and <c>publishEvent</c>.</summary>
internal static class EventFields
{
    public static void AddQueries(ObjectGraphType query)
    {
        query.Field<EventPageResponse>("events", nullable: false).Description("The log after a cursor, in order; page with after = the previous page's next.")
            .Argument<NonNullGraphType<StringGraphType>>("namespace").Argument<StringGraphType>("after")
            .Argument<StringGraphType>("pattern", a => a.Description = "A topic pattern (docs/events.md), e.g. orders.> or orders.*.created.")
            .Argument<IntGraphType>("limit")
            .ResolveAsync(async c =>
            {
                var ns = Namespace(c, Right.Read);
                var cursor = Cursor(c.GetArgument<string?>("after"), "after");
                var topics = c.GetArgument<string?>("pattern") is { } p ? TopicPattern.Parse(p, "pattern") : null;
                var page = await c.Service<INexusEvents>().ReadAsync(ns, cursor, Paging.Limit(c, 100), c.Aborted());
                var shown = topics is null ? page.Events : [.. page.Events.Where(e => topics.Matches(e.Topic))];
                return new EventPageResponse([.. shown.Select(EventMapping.Response)], page.Next.ToString());
            });
        query.Field<List<NamespaceResponse>>("namespaces", nullable: false).Description("The namespaces you may use.")
            .ResolveAsync(async c =>
            {
                var caller = c.Require(Right.Read);
                var all = await c.Service<INexusEvents>().ListNamespacesAsync(c.Aborted());
                return all.Where(n => caller.CanUseNamespace(n.Name)).Select(NamespaceEndpoints.Response).ToList();
            });
    }

    public static void AddMutations(ObjectGraphType mutation)
    {
        mutation.Field<EmittedEvent>("publishEvent", nullable: false).Description("Append one event to a namespace's log (created is false for a repeated idempotency key).")
            .Argument<NonNullGraphType<StringGraphType>>("namespace").Argument<NonNullGraphType<StringGraphType>>("topic")
            .Argument<JsonGraphType>("payload").Argument<StringGraphType>("key").Argument<StringGraphType>("priority").Argument<StringGraphType>("idempotencyKey")
            .ResolveAsync(async c =>
            {
                var ns = Namespace(c, Right.Submit);
                if (!c.HasArgument("payload")) throw ApiProblemException.Invalid("payload", "is required (any JSON value)");
                var payload = c.GetArgument<JsonElement?>("payload");
                var result = await c.Service<INexusEvents>().EmitAsync(ns, new EventRequest(c.GetArgument<string>("topic"), payload?.GetRawText() ?? "null")
                {
                    Key = c.GetArgument<string?>("key"),
                    Priority = EventPriorities.Parse(c.GetArgument<string?>("priority")),
                    IdempotencyKey = c.GetArgument<string?>("idempotencyKey"),
                }, c.Aborted());
                return new EmittedEvent(result.Position, result.Created);
            });
    }

    /// <summary>The namespace argument, valid and the caller's (REST's <see cref="EventMapping.Namespace"/>).</summary>
    internal static string Namespace(IResolveFieldContext c, Right right)
    {
        c.Require(right);
        return EventMapping.Namespace(c.Http(), c.GetArgument<string>("namespace"));
    }

    internal static LogCursor Cursor(string? text, string field)
    {
        if (text is null) return LogCursor.Start;
        return LogCursor.TryParse(text, out var cursor) ? cursor : throw ApiProblemException.Invalid(field, "must be a cursor from a previous page (e.g. 0-42) or a position");
    }
}
