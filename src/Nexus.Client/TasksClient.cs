using System.Text.Json;
using System.Net;
using System.Runtime.CompilerServices;
using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/tasks</c>: submit, batch submit, get, list (one page or every page), cancel, retry, delete.
/// Reached through <see cref="NexusClient.Tasks"/>.</summary>
public sealed class TasksClient
{
    private readonly NexusHttp _http;

    internal TasksClient(NexusHttp http) => _http = http;

    /// <summary>Submits one task. A task with the same <see cref="SubmitTaskRequest.UniqueKey"/> in the same queue is
    /// returned instead of a new one (<see cref="SubmitResponse.Created"/> false).</summary>
    /// <exception cref="NexusApiException">Refused: e.g. <c>unknown-plugin</c>, <c>validation</c> (with the
    /// <see cref="NexusApiException.Field"/>, such as <c>args.width</c>), <c>queue-full</c>.</exception>
    public Task<SubmitResponse> SubmitAsync(SubmitTaskRequest task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        return _http.PostAsync("api/v1/tasks", NexusHttp.Json(task, ClientJson.Default.SubmitTaskRequest), ClientJson.Default.SubmitResponse, cancellationToken);
    }

    /// <summary>Submits many tasks in one round trip (1 to the server's batch limit, 1000 by default). All are validated
    /// first; on an error nothing is stored and the field names the task (<c>tasks[3].args.width</c>).</summary>
    /// <returns>One result per task, in the order given.</returns>
    public async Task<IReadOnlyList<SubmitResponse>> SubmitBatchAsync(IReadOnlyList<SubmitTaskRequest> tasks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var body = NexusHttp.Json(new SubmitBatchRequest { Tasks = tasks }, ClientJson.Default.SubmitBatchRequest);
        var answer = await _http.PostAsync("api/v1/tasks/batch", body, ClientJson.Default.SubmitBatchResponse, cancellationToken).ConfigureAwait(false);
        return answer.Results;
    }

    /// <summary>Gets one task.</summary>
    /// <exception cref="NexusApiException"><c>not-found</c> (404) when there is no such task or it lies outside the
    /// caller's queues.</exception>
    public Task<TaskResponse> GetAsync(long id, CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/tasks/" + QueryString.Id(id), ClientJson.Default.TaskResponse, cancellationToken);

    /// <summary>Why a task is not running: scheduled until, in backoff until, queue paused, concurrency limit held by
    /// which tasks, its place in the backlog, no live worker for its plugin, the upstream steps it waits on.</summary>
    /// <exception cref="NexusApiException"><c>not-found</c> (404) when there is no such task or it lies outside the
    /// caller's queues.</exception>
    public Task<TaskWhyResponse> WhyAsync(long id, CancellationToken cancellationToken = default) =>
        _http.GetAsync($"api/v1/tasks/{QueryString.Id(id)}/why", ClientJson.Default.TaskWhyResponse, cancellationToken);

    /// <summary>Lists one page of tasks, newest first. Pass the page's <see cref="TaskListResponse.Next"/> as
    /// <see cref="TaskQuery.Before"/> for the next one.</summary>
    public Task<TaskListResponse> ListAsync(TaskQuery? query = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(ListPath("api/v1/tasks", query, withState: true), ClientJson.Default.TaskListResponse, cancellationToken);

    /// <summary>Every task matching <paramref name="query"/>, newest first, fetched a page at a time
    /// (<see cref="TaskQuery.Limit"/> per page) as the caller enumerates.</summary>
    public IAsyncEnumerable<TaskResponse> ListAllAsync(TaskQuery? query = null, CancellationToken cancellationToken = default) =>
        Paging.AllAsync(q => ListAsync(q, cancellationToken), query, cancellationToken);

    /// <summary>Cancels a task: a waiting one at once (<c>cancelled</c>), a running one is asked to stop (<c>requested</c>).</summary>
    /// <exception cref="NexusApiException"><c>task-finished</c> (409) when it already finished; <c>not-found</c>.</exception>
    public Task<TaskActionResponse> CancelAsync(long id, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/tasks/{QueryString.Id(id)}/cancel", null, ClientJson.Default.TaskActionResponse, cancellationToken);

    /// <summary>Makes a dead or cancelled task available again (one more attempt if it had used them all).</summary>
    /// <exception cref="NexusApiException"><c>not-retryable</c> (409) in any other state; <c>not-found</c>.</exception>
    public Task<TaskActionResponse> RetryAsync(long id, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/tasks/{QueryString.Id(id)}/retry", null, ClientJson.Default.TaskActionResponse, cancellationToken);

    /// <summary>Retries a dead or cancelled task with new args (a JSON object), checked against its plugin's schema
    /// like a submit's.</summary>
    /// <exception cref="NexusApiException"><c>validation</c> (400) naming <c>args.…</c>; <c>not-retryable</c> (409);
    /// <c>not-found</c>.</exception>
    public Task<TaskActionResponse> RetryAsync(long id, JsonElement args, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/tasks/{QueryString.Id(id)}/retry",
            NexusHttp.Json("{\"args\":" + args.GetRawText() + "}"), ClientJson.Default.TaskActionResponse, cancellationToken);

    /// <summary>Deletes a task that is not running.</summary>
    /// <exception cref="NexusApiException"><c>task-running</c> (409): cancel it first; <c>not-found</c>.</exception>
    public Task DeleteAsync(long id, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, "api/v1/tasks/" + QueryString.Id(id), cancellationToken);

    /// <summary>Polls the task every <paramref name="pollInterval"/> (default 200 ms) until it is finished
    /// (succeeded, dead or cancelled) and returns it. Cancel <paramref name="cancellationToken"/> to stop waiting.</summary>
    public async Task<TaskResponse> WaitAsync(long id, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        var interval = pollInterval ?? TimeSpan.FromMilliseconds(200);
        while (true)
        {
            var task = await GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (task.IsFinished) return task;
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static string ListPath(string path, TaskQuery? query, bool withState)
    {
        if (query is null) return path;
        return new QueryString(path)
            .Add("state", withState ? query.State : null)
            .Add("plugin", query.Plugin)
            .Add("queue", query.Queue)
            .Add("tag", query.Tag)
            .Add("createdFrom", query.CreatedFrom)
            .Add("createdBefore", query.CreatedBefore)
            .Add("before", query.Before)
            .Add("limit", query.Limit)
            .ToString();
    }

    /// <summary>One page of a task's artifacts (for a workflow step's task: its step's folder), paths relative to it.</summary>
    public Task<ArtifactListResponse> ListArtifactsAsync(long id, string? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryString($"api/v1/tasks/{QueryString.Id(id)}/artifacts").Add("after", after).Add("limit", limit).ToString(),
            ClientJson.Default.ArtifactListResponse, cancellationToken);

    /// <summary>Streams one of a task's artifacts (<paramref name="name"/> relative to its folder) into <paramref name="destination"/>.</summary>
    public Task<ArtifactDownload> DownloadArtifactAsync(long id, string name, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(destination);
        var url = $"api/v1/tasks/{QueryString.Id(id)}/artifacts/" + string.Join('/', name.Split('/').Select(QueryString.Segment));
        return _http.DownloadAsync(url, destination, name, cancellationToken);
    }

    /// <summary>The log of one attempt of a task (default: its latest).</summary>
    /// <exception cref="NexusApiException"><c>not-found</c> when the attempt logged nothing.</exception>
    public async Task<string> GetLogAsync(long id, int? attempt = null, CancellationToken cancellationToken = default)
    {
        using var text = new MemoryStream();
        await _http.DownloadAsync(new QueryString($"api/v1/tasks/{QueryString.Id(id)}/logs").Add("attempt", attempt).ToString(), text, "log", cancellationToken).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }
}

/// <summary>Walks keyset pages: each page's <c>next</c> becomes the following request's <c>before</c>.</summary>
internal static class Paging
{
    public static async IAsyncEnumerable<TaskResponse> AllAsync(Func<TaskQuery, Task<TaskListResponse>> fetch, TaskQuery? query,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = query ?? new TaskQuery();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await fetch(next).ConfigureAwait(false);
            foreach (var task in page.Items) yield return task;
            if (page.Next is null || page.Items.Count == 0) yield break;
            next = next with { Before = page.Next };
        }
    }
}
