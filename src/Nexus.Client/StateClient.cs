using System.Globalization;
using System.Text.Json;
using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/namespaces/{ns}/state</c>: the versioned state store. Reading needs a role that reads, writing one
/// that submits (admin, operator); a queue-limited key is refused. Reached through <see cref="NexusClient.State"/>.</summary>
public sealed class StateClient
{
    private readonly NexusHttp _http;

    internal StateClient(NexusHttp http) => _http = http;

    /// <summary>The key, or null when it does not exist.</summary>
    public async Task<StateResponse?> GetAsync(string @namespace, string key, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _http.GetAsync(Url(@namespace, "state", key), ClientJson.Default.StateResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (NexusApiException ex) when (ex.Status == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Writes a new version of the key with a JSON value. With <paramref name="expectedVersion"/>, only over that
    /// version (0: only when the key does not exist); a lost compare-and-set throws <see cref="NexusApiException"/> with
    /// code <c>state-conflict</c> (409). <paramref name="ttl"/> is a duration text such as <c>30s</c> or <c>PT1H</c>.</summary>
    public Task<StateResponse> SetAsync(string @namespace, string key, string valueJson, long? expectedVersion = null, string? ttl = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(valueJson);
        using var value = JsonDocument.Parse(valueJson);
        var body = NexusHttp.Json(new StateWriteRequest(value.RootElement.Clone(), expectedVersion, ttl), ClientJson.Default.StateWriteRequest);
        return _http.SendAsync(HttpMethod.Put, Url(@namespace, "state", key), body, ClientJson.Default.StateResponse, cancellationToken);
    }

    /// <summary>Deletes the key (with <paramref name="expectedVersion"/>, only at that version).</summary>
    /// <exception cref="NexusApiException"><c>state-not-found</c> (404) or <c>state-conflict</c> (409).</exception>
    public Task<StateDeleteResponse> DeleteAsync(string @namespace, string key, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete,
            Url(@namespace, "state", key) + (expectedVersion is { } v ? "?expectedVersion=" + v.ToString(CultureInfo.InvariantCulture) : ""),
            null, ClientJson.Default.StateDeleteResponse, cancellationToken);

    /// <summary>One page of keys starting with <paramref name="prefix"/>, after <paramref name="after"/>.</summary>
    public Task<StateListResponse> ListAsync(string @namespace, string? prefix = null, string? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryString($"api/v1/namespaces/{QueryString.Segment(@namespace)}/state").Add("prefix", prefix).Add("after", after).Add("limit", limit).ToString(),
            ClientJson.Default.StateListResponse, cancellationToken);

    /// <summary>The key's versions, newest first, before <paramref name="before"/>.</summary>
    public Task<IReadOnlyList<StateVersionResponse>> HistoryAsync(string @namespace, string key, long? before = null, int? limit = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryString(Url(@namespace, "state-history", key)).Add("before", before?.ToString(CultureInfo.InvariantCulture)).Add("limit", limit).ToString(),
            ClientJson.Default.IReadOnlyListStateVersionResponse, cancellationToken);

    /// <summary>One long poll of a key's (or, with <paramref name="prefix"/> true, a prefix's) changes after
    /// <paramref name="after"/> (null: from now), waiting up to <paramref name="timeout"/> (a duration text: <c>0s</c>
    /// answers at once, <c>10s</c>) for the first. With <c>0s</c> and no cursor it reads the head of the namespace's
    /// log: read the current value after it, then subscribe after it (<see cref="LiveClient.SubscribeAsync"/>).</summary>
    /// <exception cref="NexusApiException"><c>resync-needed</c> (410) when retention passed the cursor.</exception>
    public Task<StateWatchResponse> WatchAsync(string @namespace, string key, bool prefix = false, string? after = null, string? timeout = null, int? limit = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentNullException.ThrowIfNull(key);
        return _http.GetAsync(new QueryString($"api/v1/namespaces/{QueryString.Segment(@namespace)}/state-watch").Add(prefix ? "prefix" : "key", key)
            .Add("after", after).Add("timeout", timeout).Add("limit", limit).ToString(), ClientJson.Default.StateWatchResponse, cancellationToken);
    }

    private static string Url(string @namespace, string area, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(key);
        // Each segment escaped on its own, so the key keeps its slashes.
        return $"api/v1/namespaces/{QueryString.Segment(@namespace)}/{area}/" + string.Join('/', key.Split('/').Select(QueryString.Segment));
    }
}
