using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/workers/{workerId}</c>: an external worker registers the plugins it serves, leases their tasks
/// (with long polling), heartbeats the ones it runs, hands in their outcomes and deregisters. Every call needs the
/// <c>worker</c> (or <c>admin</c>) role. Reached through <see cref="NexusClient.Workers"/>.</summary>
/// <example><code>
/// var me = await nexus.Workers.RegisterAsync("py-1", new RegisterWorkerRequest([new DeclaredPluginRequest("py.sum") { Queue = "py" }]), ct);
/// while (!ct.IsCancellationRequested)
/// {
///     foreach (var task in await nexus.Workers.LeaseAsync("py-1", max: 10, waitMs: 20_000, ct))
///     {
///         var result = JsonSerializer.SerializeToElement(Run(task.Args));
///         await nexus.Workers.CompleteAsync("py-1", [CompletionRequest.Succeeded(task, result)], ct);
///     }
/// }
/// await nexus.Workers.DeregisterAsync("py-1", CancellationToken.None);
/// </code></example>
public sealed class WorkersClient
{
    /// <summary>Room left between a long poll's end and the <see cref="HttpClient.Timeout"/> for the server's answer.</summary>
    private static readonly TimeSpan AnswerMargin = TimeSpan.FromSeconds(5);

    private readonly NexusHttp _http;

    internal WorkersClient(NexusHttp http) => _http = http;

    /// <summary>Registers (or registers again) the worker <paramref name="workerId"/> and declares the plugins it serves.
    /// Declarations are stored, so every server node accepts submits for them; a later declaration of the same name
    /// replaces the earlier one. Register again after a <c>worker-not-registered</c> refusal.</summary>
    /// <param name="workerId">1–128 letters, digits, <c>.</c>, <c>_</c>, <c>:</c> or <c>-</c>, starting with a letter or
    /// digit; it is the lease holder of its tasks and its id in the node list.</param>
    /// <param name="registration">The plugins and the worker's concurrency and host.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NexusApiException"><c>validation</c> naming the field (<c>plugins[0].name</c>,
    /// <c>plugins[0].argsSchema.properties.n.type</c>, <c>concurrency</c>, <c>workerId</c>); <c>plugin-conflict</c>
    /// (409) for the name of a server plugin; <c>worker-id-taken</c> (409) for an engine node's id;
    /// <c>queue-forbidden</c> (403) for a queue outside the key's queues; <c>forbidden</c> (403) without the worker role.</exception>
    public Task<RegisterWorkerResponse> RegisterAsync(string workerId, RegisterWorkerRequest registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return _http.SendAsync(HttpMethod.Put, Path(workerId), NexusHttp.Json(registration, ClientJson.Default.RegisterWorkerRequest),
            ClientJson.Default.RegisterWorkerResponse, cancellationToken);
    }

    /// <summary>Leases up to <paramref name="max"/> ready tasks of the worker's plugins. With none ready the server
    /// waits up to <paramref name="waitMs"/> and answers as soon as one can be claimed (a submit wakes it); an empty
    /// list is the normal answer of a quiet period. Each task must then be heartbeated at least every
    /// <see cref="RegisterWorkerResponse.HeartbeatMs"/> and completed with <see cref="CompleteAsync"/>.</summary>
    /// <remarks>The long poll is bounded by the <see cref="HttpClient.Timeout"/> of the client's <see cref="HttpClient"/>
    /// (default 100 s, more than the longest poll of 30 s). When that timeout leaves less room than
    /// <paramref name="waitMs"/> plus 5 s for the answer (or half the timeout, if smaller), the wait sent is shortened
    /// to fit, so the call returns an empty list early instead of failing with a timeout. For the full wait, give the
    /// <see cref="HttpClient"/> a timeout above <paramref name="waitMs"/> + 5 s, or <see cref="Timeout.InfiniteTimeSpan"/>
    /// and bound calls with <paramref name="cancellationToken"/>.</remarks>
    /// <param name="workerId">The registered worker.</param>
    /// <param name="max">Most tasks to take, 1–100. Default (null): 1.</param>
    /// <param name="waitMs">Longest wait for a task in milliseconds, 0–30000. Default (null): 0, answer at once.</param>
    /// <param name="cancellationToken">Cancels the call (the server stops waiting when the request is aborted).</param>
    /// <returns>The leased tasks, possibly none.</returns>
    /// <exception cref="NexusApiException"><c>validation</c> naming <c>max</c>, <c>waitMs</c> or <c>workerId</c>;
    /// <c>worker-not-registered</c> (404): register first (a worker unseen for a long time is pruned; a worker of
    /// queues the key may not all use is not found either).</exception>
    public async Task<IReadOnlyList<LeasedTask>> LeaseAsync(string workerId, int? max = null, int? waitMs = null, CancellationToken cancellationToken = default)
    {
        var body = NexusHttp.Json(new LeaseRequest { Max = max, WaitMs = FitWait(waitMs, _http.Timeout) }, ClientJson.Default.LeaseRequest);
        var answer = await _http.PostAsync(Path(workerId) + "/lease", body, ClientJson.Default.LeaseResponse, cancellationToken).ConfigureAwait(false);
        return answer.Tasks;
    }

    /// <summary>Extends the leases of running tasks by <see cref="RegisterWorkerResponse.LeaseMs"/> in one round trip.</summary>
    /// <param name="workerId">The worker.</param>
    /// <param name="leases">The leases to extend (1–1000), e.g. <see cref="LeasedTask.Lease"/> of each running task.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One state per lease, in the order given: see <see cref="LeaseStatuses"/>.</returns>
    /// <exception cref="NexusApiException"><c>validation</c> naming <c>leases</c> or <c>leases[i].leaseToken</c>;
    /// <c>worker-not-registered</c> (404), as for <see cref="LeaseAsync"/>.</exception>
    public async Task<IReadOnlyList<LeaseStateResponse>> HeartbeatAsync(string workerId, IReadOnlyList<LeaseRefRequest> leases, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leases);
        var body = NexusHttp.Json(new WorkerHeartbeatRequest { Leases = leases }, ClientJson.Default.WorkerHeartbeatRequest);
        var answer = await _http.PostAsync(Path(workerId) + "/heartbeat", body, ClientJson.Default.WorkerHeartbeatResponse, cancellationToken).ConfigureAwait(false);
        return answer.Leases;
    }

    /// <summary>Hands in outcomes in one round trip. Each is fenced by its lease token: one whose lease is gone is not
    /// accepted and changes nothing.</summary>
    /// <param name="workerId">The worker.</param>
    /// <param name="completions">The outcomes (1–1000): <see cref="CompletionRequest.Succeeded"/>,
    /// <see cref="CompletionRequest.Failed"/> or <see cref="CompletionRequest.Cancelled"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per completion, in the order given.</returns>
    /// <exception cref="NexusApiException"><c>validation</c> naming e.g. <c>completions[0].outcome</c> or
    /// <c>completions[0].error.message</c>; nothing is stored then; <c>worker-not-registered</c> (404), as for
    /// <see cref="LeaseAsync"/>.</exception>
    public async Task<IReadOnlyList<CompletionResultResponse>> CompleteAsync(string workerId, IReadOnlyList<CompletionRequest> completions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(completions);
        var body = NexusHttp.Json(new CompleteRequest { Completions = completions }, ClientJson.Default.CompleteRequest);
        var answer = await _http.PostAsync(Path(workerId) + "/complete", body, ClientJson.Default.CompleteResponse, cancellationToken).ConfigureAwait(false);
        return answer.Results;
    }

    /// <summary>Deregisters the worker: the tasks it still holds go back to their queues without spending the attempt,
    /// and it leaves the node list. Its plugin declarations stay (tasks may wait for another worker).</summary>
    /// <exception cref="NexusApiException"><c>worker-not-registered</c> (404).</exception>
    public Task<DeregisterResponse> DeregisterAsync(string workerId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, Path(workerId), null, ClientJson.Default.DeregisterResponse, cancellationToken);

    private static string Path(string workerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        return "api/v1/workers/" + QueryString.Segment(workerId);
    }

    /// <summary>The wait to ask for: <paramref name="waitMs"/>, shortened so the server answers before the
    /// <see cref="HttpClient.Timeout"/> ends the request.</summary>
    internal static int? FitWait(int? waitMs, TimeSpan timeout)
    {
        if (waitMs is not > 0 || timeout == Timeout.InfiniteTimeSpan) return waitMs;
        var margin = Math.Min(AnswerMargin.TotalMilliseconds, timeout.TotalMilliseconds / 2);
        var room = (long)Math.Max(0, timeout.TotalMilliseconds - margin);
        return (int)Math.Min(waitMs.Value, room);
    }
}
