using Nexus.Server.Api.Mapping;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.State;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/namespaces/{ns}/state</c>: the versioned state store. Reading needs <see cref="Right.Read"/>,
/// writing <see cref="Right.Submit"/>. A caller limited to namespaces reaches only those (404 elsewhere); a caller
/// limited to queues alone reaches none. The version is the ETag: <c>If-Match</c> makes a write a compare-and-set, and a lost one
/// answers 409 <c>state-conflict</c> with <c>currentVersion</c>.</summary>
internal static class StateEndpoints
{
    public static void MapStateEndpoints(this RouteGroupBuilder api)
    {
        var ns = api.MapGroup("/namespaces/{ns}").WithTags("State");
        ns.MapGet("/state", ListAsync).Require(Right.Read)
            .WithSummary("List state keys by prefix, in code point order (keyset pagination with after)")
            .Produces<StateListResponse>().ProducesCommonProblems(400, 403);
        ns.MapGet("/state/{**key}", GetAsync).Require(Right.Read)
            .WithSummary("Get a state key (the ETag is its version)").Produces<StateResponse>().ProducesCommonProblems(400, 403, 404);
        ns.MapPut("/state/{**key}", SetAsync).Require(Right.Submit)
            .WithSummary("Write a state key; with expectedVersion or If-Match, only over that version (409 otherwise)")
            .Accepts<StateWriteRequest>("application/json").Produces<StateResponse>().ProducesCommonProblems(400, 403, 409, 413, 415);
        ns.MapDelete("/state/{**key}", DeleteAsync).Require(Right.Submit)
            .WithSummary("Delete a state key; with expectedVersion or If-Match, only at that version")
            .Produces<StateDeleteResponse>().ProducesCommonProblems(400, 403, 404, 409);
        ns.MapGet("/state-history/{**key}", HistoryAsync).Require(Right.Read)
            .WithSummary("A state key's versions, newest first (paging with before)")
            .Produces<IReadOnlyList<StateVersionResponse>>().ProducesCommonProblems(400, 403);
        ns.MapGet("/state-export", ExportAsync).Require(Right.Read)
            .WithSummary("Every live key of the namespace with its value and expiry").Produces<StateSnapshotDocument>().ProducesCommonProblems(400, 403);
        ns.MapPost("/state-import", ImportAsync).Require(Right.Submit)
            .WithSummary("Write every key of a snapshot into the namespace, in one transaction")
            .Accepts<StateSnapshotDocument>("application/json").Produces<StateImportResponse>().ProducesCommonProblems(400, 403, 413, 415);
    }

    private static async Task<IResult> ListAsync(HttpContext http, INexusState state, string ns,
        [FromQuery] string? prefix, [FromQuery] string? after, [FromQuery] string? limit)
    {
        Ensure(http, ns);
        var page = await state.ListAsync(ns, QueryValues.Text(prefix, "prefix", StateKeys.MaxKeyLength) ?? "", QueryValues.Text(after, "after", StateKeys.MaxKeyLength),
            QueryValues.Int(limit, "limit", 1, 1000) ?? 100, http.RequestAborted);
        return Results.Ok(new StateListResponse([.. page.Items.Select(Response)], page.Next));
    }

    private static async Task<IResult> GetAsync(HttpContext http, INexusState state, string ns, string key)
    {
        Ensure(http, ns);
        var entry = await state.GetAsync(ns, Key(key), http.RequestAborted)
            ?? throw ApiProblemException.NotFound($"State key '{QueryValues.Shorten(Key(key))}' does not exist in namespace '{ns}'.");
        http.Response.Headers.ETag = VersionHeaders.Tag(entry.Version);
        return Results.Ok(Response(entry));
    }

    private static async Task<IResult> SetAsync(HttpContext http, INexusState state, string ns, string key)
    {
        Ensure(http, ns);
        var json = await RequestJson.ReadAsync<System.Text.Json.Nodes.JsonObject>(http.Request)
            ?? throw ApiProblemException.Invalid("value", "is required");
        StateWriteRequest body;
        try
        {
            body = json.Deserialize<StateWriteRequest>(RequestJson.Options)!;
        }
        catch (JsonException ex)
        {
            throw RequestJson.Describe(ex);
        }
        // Present but null is a JSON null to store; absent is a mistake.
        var valueKey = json.Select(p => p.Key).FirstOrDefault(k => k.Equals("value", StringComparison.OrdinalIgnoreCase))
            ?? throw ApiProblemException.Invalid("value", "is required (any JSON value, null included)");
        var valueJson = json[valueKey]?.ToJsonString() ?? "null";
        TimeSpan? ttl = null;
        if (body.Ttl is not null)
        {
            var parsed = Durations.Parse(body.Ttl);
            ttl = parsed.Duration ?? throw ApiProblemException.Invalid("ttl", parsed.Overflowed ? "is longer than ten years" : $"'{QueryValues.Shorten(body.Ttl)}' is not a duration (30s, 5m, 1h30m, PT1H)");
        }
        var expected = VersionHeaders.Expected(http, body.ExpectedVersion);
        var entry = await state.SetAsync(ns, Key(key), valueJson, new StateWriteOptions { ExpectedVersion = expected, Ttl = ttl }, http.RequestAborted);
        http.Response.Headers.ETag = VersionHeaders.Tag(entry.Version);
        return Results.Ok(Response(entry));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, INexusState state, string ns, string key, [FromQuery] string? expectedVersion)
    {
        Ensure(http, ns);
        long? fromQuery = expectedVersion is null ? null : QueryValues.Int(expectedVersion, "expectedVersion", 0, int.MaxValue);
        var version = await state.DeleteAsync(ns, Key(key), VersionHeaders.Expected(http, fromQuery), http.RequestAborted);
        return Results.Ok(new StateDeleteResponse(Key(key), version));
    }

    private static async Task<IResult> HistoryAsync(HttpContext http, INexusState state, string ns, string key,
        [FromQuery] string? before, [FromQuery] string? limit)
    {
        Ensure(http, ns);
        var versions = await state.HistoryAsync(ns, Key(key), QueryValues.Cursor(before), QueryValues.Int(limit, "limit", 1, 1000) ?? 100, http.RequestAborted);
        return Results.Ok(versions.Select(v => new StateVersionResponse(v.Version, v.Operation, v.ValueJson is null ? null : StoredJsonValue.Element(v.ValueJson), v.At)).ToList());
    }

    private static async Task<IResult> ExportAsync(HttpContext http, INexusState state, string ns)
    {
        Ensure(http, ns);
        var snapshot = await state.ExportAsync(ns, http.RequestAborted);
        return Results.Ok(new StateSnapshotDocument(snapshot.Namespace, [.. snapshot.Keys.Select(k => new StateSnapshotKeyDocument(k.Key, StoredJsonValue.Element(k.ValueJson), k.ExpiresAt))]));
    }

    private static async Task<IResult> ImportAsync(HttpContext http, INexusState state, string ns)
    {
        Ensure(http, ns);
        var body = await RequestJson.ReadAsync<StateSnapshotDocument>(http.Request) ?? throw ApiProblemException.Invalid("keys", "is required");
        if (body.Keys is null) throw ApiProblemException.Invalid("keys", "is required");
        var keys = body.Keys.Select((k, i) => new StateSnapshotKey(
            k?.Key ?? throw ApiProblemException.Invalid($"keys[{i}].key", "is required"), k.Value.GetRawText(), k.ExpiresAt)).ToList();
        var written = await state.ImportAsync(ns, new StateSnapshot(body.Namespace ?? ns, keys), http.RequestAborted);
        return Results.Ok(new StateImportResponse(written));
    }

    // The server decodes a path except its %2F, which a catch-all value keeps: a slash is a slash in a key too.
    private static string Key(string key) => key.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    internal static StateResponse Response(StateEntry e) =>
        new(e.Namespace, e.Key, StoredJsonValue.Element(e.ValueJson), e.Version, e.CreatedAt, e.UpdatedAt, e.ExpiresAt);

    /// <summary>The one rule: a caller limited to namespaces reaches only those (others are not found); a caller limited
    /// to queues alone reaches no namespace.</summary>
    private static void Ensure(HttpContext http, string ns) => Caller.From(http.User).EnsureNamespace(ns);
}
