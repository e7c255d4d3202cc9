using System.Text.Json;
using GraphQL;
using GraphQL.Types;
using Nexus.Documents;
using Nexus.Server.Api;
using Nexus.Contracts;
using Nexus.Server.Auth;

namespace Nexus.Server.GraphQl;

/// <summary>Documents: <c>document</c>, <c>documents</c> (a JSON filter, keyset paged with <c>after</c>) and
/// <c>patchDocument</c> (RFC 6902 operations with a version check). The app is a namespace.</summary>
internal static class DocumentFields
{
    public static void AddQueries(ObjectGraphType query)
    {
        query.Field<DocumentResponse>("document", nullable: true).Description("A document, or null when it does not exist.")
            .Argument<NonNullGraphType<StringGraphType>>("app").Argument<NonNullGraphType<StringGraphType>>("model").Argument<NonNullGraphType<StringGraphType>>("id")
            .ResolveAsync(async c =>
            {
                var app = StateFields.Namespace(c, Right.Read, "app");
                var doc = await c.Service<INexusDocuments>().GetAsync(app, c.GetArgument<string>("model"), c.GetArgument<string>("id"), c.Aborted());
                return doc is null ? null : DocumentEndpoints.Response(doc);
            });
        query.Field<DocumentListResponse>("documents", nullable: false)
            .Description("Documents of a model matching a filter (docs/filters.md), in id order; page with after = the previous page's next.")
            .Argument<NonNullGraphType<StringGraphType>>("app").Argument<NonNullGraphType<StringGraphType>>("model")
            .Argument<JsonGraphType>("filter").Argument<StringGraphType>("after").Argument<IntGraphType>("limit")
            .ResolveAsync(async c =>
            {
                var app = StateFields.Namespace(c, Right.Read, "app");
                var filter = c.GetArgument<JsonElement?>("filter");
                var page = await c.Service<INexusDocuments>().QueryAsync(app, c.GetArgument<string>("model"), filter?.GetRawText(),
                    QueryValues.Text(c.GetArgument<string?>("after"), "after", 128), Paging.Limit(c, 100), c.Aborted());
                return new DocumentListResponse([.. page.Items.Select(DocumentEndpoints.Response)], page.Next);
            });
    }

    public static void AddMutations(ObjectGraphType mutation)
    {
        mutation.Field<DocumentResponse>("patchDocument", nullable: false)
            .Description("Apply RFC 6902 operations (all or none); with expectedVersion only at that version.")
            .Argument<NonNullGraphType<StringGraphType>>("app").Argument<NonNullGraphType<StringGraphType>>("model").Argument<NonNullGraphType<StringGraphType>>("id")
            .Argument<NonNullGraphType<JsonGraphType>>("patch", a => a.Description = "A JSON array of operations, e.g. [{\"op\":\"replace\",\"path\":\"/x\",\"value\":1}].")
            .Argument<LongGraphType>("expectedVersion")
            .ResolveAsync(async c =>
            {
                var app = StateFields.Namespace(c, Right.Submit, "app");
                var patch = c.GetArgument<JsonElement>("patch");
                var doc = await c.Service<INexusDocuments>().PatchAsync(app, c.GetArgument<string>("model"), c.GetArgument<string>("id"), patch.GetRawText(),
                    c.GetArgument<long?>("expectedVersion"), c.Aborted());
                return DocumentEndpoints.Response(doc);
            });
    }
}
