using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/dead-letters</c>: tasks that failed for good — list, retry one, retry or purge those matching a
/// filter. Reached through <see cref="NexusClient.DeadLetters"/>.</summary>
public sealed class DeadLettersClient
{
    private readonly NexusHttp _http;

    internal DeadLettersClient(NexusHttp http) => _http = http;

    /// <summary>Lists one page of dead tasks, newest first (<see cref="TaskQuery.State"/> is ignored).</summary>
    public Task<TaskListResponse> ListAsync(TaskQuery? query = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(TasksClient.ListPath("api/v1/dead-letters", query, withState: false), ClientJson.Default.TaskListResponse, cancellationToken);

    /// <summary>Every dead task matching <paramref name="query"/>, newest first, a page at a time.</summary>
    public IAsyncEnumerable<TaskResponse> ListAllAsync(TaskQuery? query = null, CancellationToken cancellationToken = default) =>
        Paging.AllAsync(q => ListAsync(q, cancellationToken), query, cancellationToken);

    /// <summary>Retries one dead task.</summary>
    /// <exception cref="NexusApiException"><c>not-dead</c> (409) when it is not dead; <c>not-found</c>.</exception>
    public Task<TaskActionResponse> RetryAsync(long id, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/dead-letters/{QueryString.Id(id)}/retry", null, ClientJson.Default.TaskActionResponse, cancellationToken);

    /// <summary>Retries the dead tasks matching <paramref name="filter"/> (null: all), oldest first, at most
    /// <see cref="DeadLetterFilterRequest.Max"/> per call; call again while <see cref="BulkResponse.More"/> is true.</summary>
    public Task<BulkResponse> RetryMatchingAsync(DeadLetterFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync("api/v1/dead-letters/retry", NexusHttp.Json(filter ?? new DeadLetterFilterRequest(), ClientJson.Default.DeadLetterFilterRequest),
            ClientJson.Default.BulkResponse, cancellationToken);

    /// <summary>Deletes the dead tasks matching <paramref name="filter"/> (null: all), oldest first, at most
    /// <see cref="DeadLetterFilterRequest.Max"/> per call; call again while <see cref="BulkResponse.More"/> is true.</summary>
    public Task<BulkResponse> PurgeAsync(DeadLetterFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync("api/v1/dead-letters/purge", NexusHttp.Json(filter ?? new DeadLetterFilterRequest(), ClientJson.Default.DeadLetterFilterRequest),
            ClientJson.Default.BulkResponse, cancellationToken);
}
