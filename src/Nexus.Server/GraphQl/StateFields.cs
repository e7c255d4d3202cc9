using Nexus.Server.Api.Mapping;
using System.Text.Json;
using GraphQL;
using GraphQL.Types;
using Nexus.Server.Api;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.State;

namespace Nexus.Server.GraphQl;

/// <summary>The state store: <c>state</c>, <c>stateKeys</c> (by prefix, keyset paged with <c>after</c>),
/// <c>stateHistory</c>, <c>setState</c> (compare-and-set with <c>expectedVersion</c>) and <c>deleteState</c>. Reading
/// needs the read right, writing the submit right; a caller limited to namespaces reaches only those.</summary>
internal static class StateFields
{
    public static void AddQueries(ObjectGraphType query)
    {
        query.Field<StateResponse>("state", nullable: true).Description("A state key, or null when it does not exist.")
            .Argument<NonNullGraphType<StringGraphType>>("namespace").Argument<NonNullGraphType<StringGraphType>>("key")
            .ResolveAsync(async c =>
            {
                var ns = Namespace(c, Right.Read);
                var entry = await c.Service<INexusState>().GetAsync(ns, c.GetArgument<string>("key"), c.Aborted());
                return entry is null ? null : StateEndpoints.Response(entry);
            });
        query.Field<StateListResponse>("stateKeys", nullable: false).Description("Keys by prefix in code point order; page with after = the previous page's next.")
            .Argument<NonNullGraphType<StringGraphType>>("namespace").Argument<StringGraphType>("prefix").Argument<StringGraphType>("after").Argument<IntGraphType>("limit")
            .ResolveAsync(async c =>
            {
                var ns = Namespace(c, Right.Read);
                var page = await c.Service<INexusState>().ListAsync(ns, QueryValues.Text(c.GetArgument<string?>("prefix"), "prefix", StateKeys.MaxKeyLength) ?? "",
                    QueryValues.Text(c.GetArgument<string?>("after"), "after", StateKeys.MaxKeyLength), Paging.Limit(c, 100), c.Aborted());
                return new StateListResponse([.. page.Items.Select(StateEndpoints.Response)], page.Next);
            });
        query.Field<List<StateVersionResponse>>("stateHistory", nullable: false).Description("A key's versions, newest first; page with before = a version.")
            .Argument<NonNullGraphType<StringGraphType>>("namespace").Argument<NonNullGraphType<StringGraphType>>("key").Argument<LongGraphType>("before").Argument<IntGraphType>("limit")
            .ResolveAsync(async c =>
            {
                var ns = Namespace(c, Right.Read);
                var versions = await c.Service<INexusState>().HistoryAsync(ns, c.GetArgument<string>("key"), c.GetArgument<long?>("before"), Paging.Limit(c, 100), c.Aborted());
                return versions.Select(v => new StateVersionResponse(v.Version, v.Operation, v.ValueJson is null ? null : StoredJsonValue.Element(v.ValueJson), v.At)).ToList();
            });
    }

    public static void AddMutations(ObjectGraphType mutation)
    {
        mutation.Field<StateResponse>("setState", nullable: false)
            .Description("Write a key; with expectedVersion only over that version (else a state-conflict error carrying currentVersion).")
            .Argument<NonNullGraphType<StringGraphType>>("namespace").Argument<NonNullGraphType<StringGraphType>>("key")
            .Argument<JsonGraphType>("value", a => a.Description = "Any JSON value; null stores a JSON null.")
            .Argument<LongGraphType>("expectedVersion").Argument<StringGraphType>("ttl")
            .ResolveAsync(async c =>
            {
                var ns = Namespace(c, Right.Submit);
                if (!c.HasArgument("value")) throw ApiProblemException.Invalid("value", "is required (any JSON value, null included)");
                var value = c.GetArgument<JsonElement?>("value");
                TimeSpan? ttl = null;
                if (c.GetArgument<string?>("ttl") is { } text)
                {
                    var parsed = Durations.Parse(text);
                    ttl = parsed.Duration ?? throw ApiProblemException.Invalid("ttl", parsed.Overflowed ? "is longer than ten years" : $"'{QueryValues.Shorten(text)}' is not a duration (30s, 5m, 1h30m, PT1H)");
                }
                var entry = await c.Service<INexusState>().SetAsync(ns, c.GetArgument<string>("key"), value?.GetRawText() ?? "null",
                    new StateWriteOptions { ExpectedVersion = c.GetArgument<long?>("expectedVersion"), Ttl = ttl }, c.Aborted());
                return StateEndpoints.Response(entry);
            });
        mutation.Field<StateDeleteResponse>("deleteState", nullable: false).Description("Delete a key; with expectedVersion only at that version.")
            .Argument<NonNullGraphType<StringGraphType>>("namespace").Argument<NonNullGraphType<StringGraphType>>("key").Argument<LongGraphType>("expectedVersion")
            .ResolveAsync(async c =>
            {
                var ns = Namespace(c, Right.Submit);
                var key = c.GetArgument<string>("key");
                var version = await c.Service<INexusState>().DeleteAsync(ns, key, c.GetArgument<long?>("expectedVersion"), c.Aborted());
                return new StateDeleteResponse(key, version);
            });
    }

    /// <summary>The namespace argument after the right and the caller's namespace limit (REST's rule).</summary>
    internal static string Namespace(IResolveFieldContext c, Right right, string argument = "namespace")
    {
        var caller = c.Require(right);
        var ns = c.GetArgument<string>(argument);
        caller.EnsureNamespace(ns);
        return ns;
    }
}
