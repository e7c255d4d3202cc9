using Nexus.Server.Api.Contracts;
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

    private static IApiKeyStore Store(INexusStore store) => store.ApiKeys
        ?? throw new ApiProblemException(501, "keys-unsupported", "Not supported", $"The {store.Driver} store cannot keep API keys; use JWT bearer tokens.");

    private static async Task<IResult> CreateAsync(HttpContext http, INexusStore store, TimeProvider time)
    {
        var keys = Store(store);
        var body = await RequestJson.ReadAsync<CreateKeyRequest>(http.Request);
        var name = body!.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100) throw ApiProblemException.Invalid("name", "is required (1–100 characters)");
        if (!NexusRoles.IsValid(body.Role)) throw ApiProblemException.Invalid("role", $"must be one of {string.Join(", ", NexusRoles.All)}");
        var queues = body.Queues ?? [];
        for (var i = 0; i < queues.Count; i++)
        {
            if (!QueueName.IsValid(queues[i])) throw ApiProblemException.Invalid($"queues[{i}]", $"'{QueryValues.Shorten(queues[i] ?? "")}' is not a valid queue name");
        }
        var namespaces = body.Namespaces ?? [];
        for (var i = 0; i < namespaces.Count; i++)
        {
            if (!Events.Names.IsNamespace(namespaces[i])) throw ApiProblemException.Invalid($"namespaces[{i}]", $"'{QueryValues.Shorten(namespaces[i] ?? "")}' is not a valid namespace name");
        }
        if (body.ExpiresAt is { } expires && expires <= time.GetUtcNow()) throw ApiProblemException.Invalid("expiresAt", "must be in the future");
        var caller = Caller.From(http.User);
        caller.EnsureCanGrant(body.Role!, queues, namespaces);

        var (id, key, hash) = ApiKeyFormat.Create();
        var record = await keys.CreateAsync(new NewApiKey
        {
            Id = id,
            Name = name,
            SecretHash = hash,
            Role = body.Role!,
            Queues = [.. queues.Distinct(StringComparer.Ordinal)],
            Namespaces = [.. namespaces.Distinct(StringComparer.Ordinal)],
            ExpiresAt = body.ExpiresAt,
            CreatedBy = caller.Name,
        }, http.RequestAborted);
        return Results.Created($"/api/v1/keys/{id}", new CreatedKeyResponse(key, Response(record)));
    }

    private static async Task<IResult> ListAsync(INexusStore store, HttpContext http)
    {
        var caller = Caller.From(http.User);
        return Results.Ok((await Store(store).ListAsync(http.RequestAborted)).Where(k => Visible(caller, k)).Select(Response).ToList());
    }

    private static async Task<IResult> RevokeAsync(HttpContext http, INexusStore store, ApiKeyValidator validator, string id)
    {
        var keys = Store(store);
        var caller = Caller.From(http.User);
        // A key outside the caller's limits is not found, as if it did not exist.
        if (caller.IsLimited && (await keys.GetAsync(id, http.RequestAborted) is not { } key || !Visible(caller, key)))
        {
            throw ApiProblemException.NotFound($"No active API key with id '{QueryValues.Shorten(id)}'.");
        }
        var revoked = await keys.RevokeAsync(new RevokeApiKeyParams(id), http.RequestAborted);
        validator.Forget(id);
        return revoked ? Results.NoContent() : throw ApiProblemException.NotFound($"No active API key with id '{QueryValues.Shorten(id)}'.");
    }

    /// <summary>A limited caller sees a key only when everything it grants lies within the caller's own limits.</summary>
    private static bool Visible(Caller caller, ApiKeyRecord k) =>
        !caller.IsLimited || ((k.Queues.Count > 0 || k.Namespaces.Count > 0) && (k.Queues.Count == 0 || caller.CanUseAll(k.Queues)) && caller.CanUseAllNamespaces(k.Namespaces));

    private static KeyResponse Response(ApiKeyRecord k) =>
        new(k.Id, k.Name, k.Role, k.Queues, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.CreatedBy) { Namespaces = k.Namespaces };
}
