using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/keys</c>: API keys, for admins — create (the secret is shown once), list, revoke. Reached through
/// <see cref="NexusClient.Keys"/>.</summary>
public sealed class KeysClient
{
    private readonly NexusHttp _http;

    internal KeysClient(NexusHttp http) => _http = http;

    /// <summary>Creates a key. <see cref="CreatedKey.Key"/> is the only time its secret is shown: store it now.</summary>
    /// <exception cref="NexusApiException"><c>validation</c> naming <c>name</c>, <c>role</c>, <c>queues[i]</c> or
    /// <c>expiresAt</c>; <c>forbidden</c> for callers that are not admins.</exception>
    public Task<CreatedKey> CreateAsync(KeyRequest key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _http.PostAsync("api/v1/keys", NexusHttp.Json(key, ClientJson.Default.KeyRequest), ClientJson.Default.CreatedKey, cancellationToken);
    }

    /// <summary>Every key, revoked ones too; never a secret.</summary>
    public Task<IReadOnlyList<KeyInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/keys", ClientJson.Default.IReadOnlyListKeyInfo, cancellationToken);

    /// <summary>Revokes a key by its id (<see cref="KeyInfo.Id"/>).</summary>
    /// <exception cref="NexusApiException"><c>not-found</c> when there is no active key with that id.</exception>
    public Task RevokeAsync(string id, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, "api/v1/keys/" + QueryString.Segment(id), cancellationToken);
}
