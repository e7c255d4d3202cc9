using System.Text.Json.Nodes;
using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/queues</c>: settings and counts by state, pause and resume, concurrency and backlog limits.
/// Reached through <see cref="NexusClient.Queues"/>.</summary>
public sealed class QueuesClient
{
    private readonly NexusHttp _http;

    internal QueuesClient(NexusHttp http) => _http = http;

    /// <summary>Every queue that has tasks or settings (those the caller may see).</summary>
    public Task<IReadOnlyList<QueueResponse>> ListAsync(CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/queues", ClientJson.Default.IReadOnlyListQueueResponse, cancellationToken);

    /// <summary>One queue (a queue without settings or tasks has the defaults and no counts).</summary>
    /// <exception cref="NexusApiException"><c>validation</c> with field <c>name</c> for an invalid queue name.</exception>
    public Task<QueueResponse> GetAsync(string name, CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/queues/" + QueryString.Segment(name), ClientJson.Default.QueueResponse, cancellationToken);

    /// <summary>Stops claiming from the queue (submits still go in). Returns the queue as it is now.</summary>
    public Task<QueueResponse> PauseAsync(string name, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/queues/{QueryString.Segment(name)}/pause", null, ClientJson.Default.QueueResponse, cancellationToken);

    /// <summary>Restarts claiming from the queue. Returns the queue as it is now.</summary>
    public Task<QueueResponse> ResumeAsync(string name, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/queues/{QueryString.Segment(name)}/resume", null, ClientJson.Default.QueueResponse, cancellationToken);

    /// <summary>Sets both cluster-wide limits; null removes a limit.</summary>
    /// <param name="name">The queue.</param>
    /// <param name="maxConcurrency">Most tasks running at once across all nodes (0 or more), or null for none.</param>
    /// <param name="maxBacklog">Most waiting tasks before submits are refused with <c>queue-full</c>, or null for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<QueueResponse> SetLimitsAsync(string name, int? maxConcurrency, long? maxBacklog, CancellationToken cancellationToken = default) =>
        PatchAsync(name, new JsonObject { ["maxConcurrency"] = maxConcurrency, ["maxBacklog"] = maxBacklog }, cancellationToken);

    /// <summary>Sets only the concurrency limit (null removes it); the backlog limit keeps its value.</summary>
    public Task<QueueResponse> SetMaxConcurrencyAsync(string name, int? maxConcurrency, CancellationToken cancellationToken = default) =>
        PatchAsync(name, new JsonObject { ["maxConcurrency"] = maxConcurrency }, cancellationToken);

    /// <summary>Sets only the backlog limit (null removes it); the concurrency limit keeps its value.</summary>
    public Task<QueueResponse> SetMaxBacklogAsync(string name, long? maxBacklog, CancellationToken cancellationToken = default) =>
        PatchAsync(name, new JsonObject { ["maxBacklog"] = maxBacklog }, cancellationToken);

    // PATCH tells "leave out" (keep) from null (remove), which a typed record with null-skipping cannot.
    private Task<QueueResponse> PatchAsync(string name, JsonObject body, CancellationToken cancellationToken) =>
        _http.SendAsync(HttpMethod.Patch, "api/v1/queues/" + QueryString.Segment(name), NexusHttp.Json(body.ToJsonString()), ClientJson.Default.QueueResponse, cancellationToken);

}
