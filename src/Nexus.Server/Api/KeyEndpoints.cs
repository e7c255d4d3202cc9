using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/keys</c>: API keys — created (the secret is shown once), listed, revoked. Admins only. An admin
/// limited to queues makes keys within its queues and role only, and lists and revokes only keys whose queues all lie
/// within its own (others are not found).</summary>
internal static class KeyEndpoints
{
    public static void MapKeyEndpoints(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/keys").WithTags("API keys");
        keys.MapPost("", CreateAsync).Require(Right.Keys)
            .WithSummary("Create an API key; the response is the only time its secret is shown").Accepts<CreateKeyRequest>("application/json")
            .Produces<CreatedKeyResponse>(StatusCodes.Status201Created).ProducesCommonProblems(400, 413, 415, 501);
        keys.MapGet("", ListAsync).Require(Right.Keys)
            .WithSummary("List API keys (never their secrets)").Produces<IReadOnlyList<KeyResponse>>().ProducesCommonProblems(501);
        keys.MapDelete("/{id}", RevokeAsync).Require(Right.Keys)
            .WithSummary("Revoke an API key").Produces(StatusCodes.Status204NoContent).ProducesCommonProblems(404, 501);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, INexusStore store, TimeProvider time)
    {
        KeyOperations.Store(store);
        var body = await RequestJson.ReadAsync<CreateKeyRequest>(http.Request);
        var (key, record) = await KeyOperations.CreateAsync(Caller.From(http.User), store, time, body!.Name, body.Role, body.Queues, body.ExpiresAt, http.RequestAborted, body.Namespaces);
        return Results.Created($"/api/v1/keys/{record.Id}", new CreatedKeyResponse(key, Response(record)));
    }

    private static async Task<IResult> ListAsync(INexusStore store, HttpContext http) =>
        Results.Ok((await KeyOperations.ListAsync(Caller.From(http.User), store, http.RequestAborted)).Select(Response).ToList());

    private static async Task<IResult> RevokeAsync(HttpContext http, INexusStore store, ApiKeyValidator validator, string id)
    {
        await KeyOperations.RevokeAsync(Caller.From(http.User), store, validator, id, http.RequestAborted);
        return Results.NoContent();
    }

    private static KeyResponse Response(ApiKeyRecord k) =>
        new(k.Id, k.Name, k.Role, k.Queues, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.CreatedBy) { Namespaces = k.Namespaces };
}
