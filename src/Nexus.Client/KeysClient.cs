using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/keys</c>: API keys, for admins — create (the secret is shown once), list, revoke. Reached through
/// <see cref="NexusClient.Keys"/>.</summary>
public sealed class KeysClient
{
    private readonly NexusHttp _http;

    internal KeysClient(NexusHttp http) => _http = http;

    /// <summary>Creates a key. <see cref="CreatedKeyResponse.Key"/> is the only time its secret is shown: store it now.</summary>
    /// <exception cref="NexusApiException"><c>validation</c> naming <c>name</c>, <c>role</c>, <c>queues[i]</c> or
    /// <c>expiresAt</c>; <c>forbidden</c> for callers that are not admins.</exception>
    public Task<CreatedKeyResponse> CreateAsync(CreateKeyRequest key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _http.PostAsync("api/v1/keys", NexusHttp.Json(key, ClientJson.Default.CreateKeyRequest), ClientJson.Default.CreatedKeyResponse, cancellationToken);
    }

    /// <summary>Every key, revoked ones too; never a secret.</summary>
    public Task<IReadOnlyList<KeyResponse>> ListAsync(CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/keys", ClientJson.Default.IReadOnlyListKeyResponse, cancellationToken);

    /// <summary>Revokes a key by its id (<see cref="KeyResponse.Id"/>).</summary>
    /// <exception cref="NexusApiException"><c>not-found</c> when there is no active key with that id.</exception>
    public Task RevokeAsync(string id, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, "api/v1/keys/" + QueryString.Segment(id), cancellationToken);
}
