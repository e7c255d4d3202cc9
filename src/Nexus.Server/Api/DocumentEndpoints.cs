using Nexus.Server.Api.Mapping;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Nexus.Documents;
using Nexus.Contracts;
using Nexus.Server.Auth;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/apps/{app}/models/{model}/documents</c>: live JSON documents, changed by JSON Patch with a version
/// check, queried by filter. Reading needs <see cref="Right.Read"/>, writing <see cref="Right.Submit"/>; the app is a
/// namespace: a caller limited to namespaces reaches only those (404 elsewhere), one limited to queues alone none.</summary>
internal static class DocumentEndpoints
{
    public static void MapDocumentEndpoints(this RouteGroupBuilder api)
    {
        var model = api.MapGroup("/apps/{app}/models/{model}").WithTags("Documents");
        model.MapPost("/documents", CreateAsync).Require(Right.Submit)
            .WithSummary("Create a document (201; 409 when the id exists)")
            .Accepts<DocumentWriteRequest>("application/json").Produces<DocumentResponse>(StatusCodes.Status201Created).ProducesCommonProblems(400, 403, 409, 413, 415);
        model.MapGet("/documents", QueryAsync).Require(Right.Read)
            .WithSummary("Documents of a model matching a filter (filter = a JSON filter, see docs/filters.md), in id order, keyset paged")
            .Produces<DocumentListResponse>().ProducesCommonProblems(400, 403);
        model.MapGet("/documents/{id}", GetAsync).Require(Right.Read)
            .WithSummary("Get a document (the ETag is its version)").Produces<DocumentResponse>().ProducesCommonProblems(400, 403, 404);
        model.MapPut("/documents/{id}", ReplaceAsync).Require(Right.Submit)
            .WithSummary("Replace a document; with expectedVersion or If-Match only at that version")
            .Accepts<DocumentWriteRequest>("application/json").Produces<DocumentResponse>().ProducesCommonProblems(400, 403, 404, 409, 413, 415);
        model.MapPatch("/documents/{id}", PatchAsync).Require(Right.Submit)
            .WithSummary("Apply a JSON Patch (RFC 6902, application/json-patch+json); with If-Match only at that version; whole or not at all")
            .Accepts<JsonElement>("application/json-patch+json").Produces<DocumentResponse>().ProducesCommonProblems(400, 403, 404, 409, 413, 415);
        model.MapDelete("/documents/{id}", DeleteAsync).Require(Right.Submit)
            .WithSummary("Delete a document; with expectedVersion or If-Match only at that version")
            .Produces<DocumentDeleteResponse>().ProducesCommonProblems(400, 403, 404, 409);
        model.MapGet("/schema", GetSchemaAsync).Require(Right.Read)
            .WithSummary("The JSON Schema every write of the model must pass").Produces<JsonElement>().ProducesCommonProblems(400, 403, 404);
        model.MapPut("/schema", SetSchemaAsync).Require(Right.Manage)
            .WithSummary("Set the model's JSON Schema (the subset plugins use; existing documents are not re-checked)")
            .Accepts<JsonElement>("application/json").Produces<JsonElement>().ProducesCommonProblems(400, 403, 413, 415);
        model.MapDelete("/schema", DeleteSchemaAsync).Require(Right.Manage)
            .WithSummary("Remove the model's JSON Schema").Produces(StatusCodes.Status204NoContent).ProducesCommonProblems(400, 403);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, INexusDocuments docs, string app, string model)
    {
        Ensure(http, app);
        var body = await ReadAsync(http);
        var created = await docs.CreateAsync(app, model, Document(body), body.Id, http.RequestAborted);
        http.Response.Headers.ETag = VersionHeaders.Tag(created.Version);
        return Results.Created($"/api/v1/apps/{app}/models/{model}/documents/{created.Id}", Response(created));
    }

    private static async Task<IResult> QueryAsync(HttpContext http, INexusDocuments docs, string app, string model,
        [FromQuery] string? filter, [FromQuery] string? after, [FromQuery] string? limit)
    {
        Ensure(http, app);
        var page = await docs.QueryAsync(app, model, QueryValues.Text(filter, "filter", 8192), QueryValues.Text(after, "after", 128),
            QueryValues.Int(limit, "limit", 1, 1000) ?? 100, http.RequestAborted);
        return Results.Ok(new DocumentListResponse([.. page.Items.Select(Response)], page.Next));
    }

    private static async Task<IResult> GetAsync(HttpContext http, INexusDocuments docs, string app, string model, string id)
    {
        Ensure(http, app);
        var doc = await docs.GetAsync(app, model, id, http.RequestAborted) ?? throw new DocumentNotFoundException(app, model, id);
        http.Response.Headers.ETag = VersionHeaders.Tag(doc.Version);
        return Results.Ok(Response(doc));
    }

    private static async Task<IResult> ReplaceAsync(HttpContext http, INexusDocuments docs, string app, string model, string id)
    {
        Ensure(http, app);
        var body = await ReadAsync(http);
        if (body.Id is not null && body.Id != id) throw ApiProblemException.Invalid("id", "is the path's; leave it out of a replace");
        var doc = await docs.ReplaceAsync(app, model, id, Document(body), VersionHeaders.Expected(http, body.ExpectedVersion), http.RequestAborted);
        http.Response.Headers.ETag = VersionHeaders.Tag(doc.Version);
        return Results.Ok(Response(doc));
    }

    private static async Task<IResult> PatchAsync(HttpContext http, INexusDocuments docs, string app, string model, string id)
    {
        Ensure(http, app);
        var patch = await RequestJson.ReadAsync<System.Text.Json.Nodes.JsonNode>(http.Request)
            ?? throw ApiProblemException.Invalid("patch", "is required: a JSON array of operations");
        var doc = await docs.PatchAsync(app, model, id, patch.ToJsonString(), VersionHeaders.Expected(http, null), http.RequestAborted);
        http.Response.Headers.ETag = VersionHeaders.Tag(doc.Version);
        return Results.Ok(Response(doc));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, INexusDocuments docs, string app, string model, string id, [FromQuery] string? expectedVersion)
    {
        Ensure(http, app);
        long? expected = expectedVersion is null ? VersionHeaders.Expected(http, null) : QueryValues.Int(expectedVersion, "expectedVersion", 0, int.MaxValue);
        var version = await docs.DeleteAsync(app, model, id, expected, http.RequestAborted);
        return Results.Ok(new DocumentDeleteResponse(id, version));
    }

    private static async Task<IResult> GetSchemaAsync(HttpContext http, INexusDocuments docs, string app, string model)
    {
        Ensure(http, app);
        var schema = await docs.GetSchemaAsync(app, model, http.RequestAborted) ?? throw ApiProblemException.NotFound($"Model '{model}' of app '{app}' has no schema.");
        return Results.Ok(StoredJsonValue.Element(schema));
    }

    private static async Task<IResult> SetSchemaAsync(HttpContext http, INexusDocuments docs, string app, string model)
    {
        Ensure(http, app);
        var schema = await RequestJson.ReadAsync<System.Text.Json.Nodes.JsonNode>(http.Request) ?? throw ApiProblemException.Invalid("schema", "is required");
        await docs.SetSchemaAsync(app, model, schema.ToJsonString(), http.RequestAborted);
        return Results.Ok(StoredJsonValue.Element(schema.ToJsonString()));
    }

    private static async Task<IResult> DeleteSchemaAsync(HttpContext http, INexusDocuments docs, string app, string model)
    {
        Ensure(http, app);
        await docs.SetSchemaAsync(app, model, null, http.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<DocumentWriteRequest> ReadAsync(HttpContext http) =>
        await RequestJson.ReadAsync<DocumentWriteRequest>(http.Request) ?? throw ApiProblemException.Invalid("document", "is required");

    private static string Document(DocumentWriteRequest body) =>
        body.Document is { ValueKind: JsonValueKind.Object } d ? d.GetRawText() : throw ApiProblemException.Invalid("document", "is required: a JSON object");

    internal static DocumentResponse Response(DocumentEntry d) => new(d.App, d.Model, d.Id, StoredJsonValue.Element(d.ValueJson), d.Version, d.CreatedAt, d.UpdatedAt);

    /// <summary>The one rule: a caller limited to namespaces reaches only those (others are not found); a caller limited
    /// to queues alone reaches no namespace.</summary>
    private static void Ensure(HttpContext http, string app) => Caller.From(http.User).EnsureNamespace(app);
}
