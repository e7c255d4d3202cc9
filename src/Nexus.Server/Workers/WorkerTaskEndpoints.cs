using Nexus.Server.Api.Mapping;
using Microsoft.Extensions.Options;
using Nexus.Attempts;
using Nexus.Hosting;
using Nexus.Server.Api;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Server.Workers;

/// <summary>Lease (long poll), heartbeat and complete for external workers. Each goes through the store's own claim,
/// heartbeat and complete operations, so fencing by lease token, retries with backoff, dead letters and rescue of
/// expired leases are exactly those of local tasks.</summary>
internal static class WorkerTaskEndpoints
{
    public const int MaxLease = 100;
    public const int MaxWaitMs = 30_000;
    public const int MaxBatch = 1000;
    private const int MaxErrorMessage = 4000;

    public static void MapWorkerTaskEndpoints(this RouteGroupBuilder worker)
    {
        worker.MapPost("/lease", LeaseAsync).Require(Right.Work)
            .WithSummary("Lease up to max ready tasks of the worker's plugins, waiting up to waitMs for one").Accepts<LeaseRequest>("application/json")
            .Produces<LeaseResponse>().ProducesCommonProblems(400, 404, 415);
        worker.MapPost("/heartbeat", HeartbeatAsync).Require(Right.Work)
            .WithSummary("Extend the leases of running tasks; reports lost leases and cancel requests").Accepts<WorkerHeartbeatRequest>("application/json")
            .Produces<WorkerHeartbeatResponse>().ProducesCommonProblems(400, 415);
        worker.MapPost("/complete", CompleteAsync).Require(Right.Work)
            .WithSummary("Hand in outcomes (succeeded, failed, cancelled), each fenced by its lease token").Accepts<CompleteRequest>("application/json")
            .Produces<CompleteResponse>().ProducesCommonProblems(400, 413, 415);
    }

    /// <summary>The registered worker, or 404 telling it to register; a worker of queues the caller may not all use is
    /// not found either (it belongs to another tenant, whose queues are not told).</summary>
    public static async Task<NodeInfo> LoadWorkerAsync(INexusStore store, string id, Caller caller, CancellationToken cancellationToken)
    {
        var node = (await store.Nodes.ListAsync(new ListNodesParams(TimeSpan.FromDays(365)) { Id = id }, cancellationToken)).SingleOrDefault();
        if (node is not { Kind: NodeKinds.External } || !caller.CanUseAll(node.Queues)) throw NotRegistered(id);
        return node;
    }

    /// <summary>The 404 of a worker id that is not registered, or not the caller's to use.</summary>
    public static ApiProblemException NotRegistered(string id) => new(404, "worker-not-registered", "Not found",
        $"workerId: no external worker '{id}' is registered (it may have been pruned after a long silence); register it with PUT /api/v1/workers/{id} first.", "workerId");

    private static async Task<IResult> LeaseAsync(
        HttpContext http, string workerId, INexusStore store, IOptions<NexusOptions> options, TaskArrivals arrivals, WorkerPresence presence, IHostApplicationLifetime lifetime,
        INexusAttempts attempts, TimeProvider time)
    {
        var id = WorkerEndpoints.Id(workerId);
        var body = await RequestJson.ReadAsync<LeaseRequest>(http.Request, allowEmpty: true) ?? new LeaseRequest();
        var max = body.Max ?? 1;
        if (max is < 1 or > MaxLease) throw ApiProblemException.Invalid("max", $"must be between 1 and {MaxLease} (was {max})");
        var waitMs = body.WaitMs ?? 0;
        if (waitMs is < 0 or > MaxWaitMs) throw ApiProblemException.Invalid("waitMs", $"must be between 0 and {MaxWaitMs} (was {waitMs})");

        var worker = await LoadWorkerAsync(store, id, Caller.From(http.User), http.RequestAborted);
        presence.Remember(id, worker.Queues);
        await presence.SeenAsync(id, http.RequestAborted);
        var o = options.Value;
        var claim = new ClaimParams(id, max, o.LeaseDuration) { Queues = worker.Queues, Plugins = worker.Plugins };

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var since = time.GetTimestamp();
        while (true)
        {
            var next = arrivals.Next; // taken before looking, so a wake-up during the claim is not lost
            var claimed = await store.Tasks.ClaimAsync(claim, http.RequestAborted);
            var left = waitMs - (long)time.GetElapsedTime(since).TotalMilliseconds;
            if (claimed.Count > 0 || left <= 0 || stop.IsCancellationRequested)
            {
                attempts.Started(claimed);
                return Results.Ok(new LeaseResponse([.. claimed.Select(Leased)]));
            }
            // Woken by a submit or a store notification; the poll interval covers work nobody announces (retries
            // coming due, resumed queues, submits on other SQLite processes).
            var wait = TimeSpan.FromMilliseconds(Math.Min(left, o.PollInterval.TotalMilliseconds));
            try
            {
                await next.WaitAsync(wait, stop.Token);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested)
            {
                return Results.Ok(new LeaseResponse([]));
            }
        }
    }

    private static LeasedTask Leased(TaskRecord t) => new(
        t.Id, t.Plugin, t.Queue, StoredJsonValue.Element(t.ArgsJson), t.Attempt, t.MaxAttempts, t.LeaseToken!.Value, t.LeaseExpiresAt,
        t.Timeout is { } timeout ? (long)timeout.TotalMilliseconds : null);

    private static async Task<IResult> HeartbeatAsync(HttpContext http, string workerId, INexusStore store, IOptions<NexusOptions> options, WorkerPresence presence)
    {
        var id = WorkerEndpoints.Id(workerId);
        var body = await RequestJson.ReadAsync<WorkerHeartbeatRequest>(http.Request);
        var items = body!.Leases ?? throw ApiProblemException.Invalid("leases", "is required");
        if (items.Count is 0 or > MaxBatch) throw ApiProblemException.Invalid("leases", $"must hold 1–{MaxBatch} leases (had {items.Count})");
        var leases = new LeaseRef[items.Count];
        for (var i = 0; i < items.Count; i++) leases[i] = Lease(items[i], $"leases[{i}]");

        await presence.EnsureVisibleAsync(id, Caller.From(http.User), http.RequestAborted);
        await presence.SeenAsync(id, http.RequestAborted);
        var statuses = await store.Tasks.HeartbeatAsync(new HeartbeatParams(leases, options.Value.LeaseDuration), http.RequestAborted);
        // The store answers one status per lease, in request order (the same task may be named with two tokens).
        return Results.Ok(new WorkerHeartbeatResponse([.. leases.Select((l, i) =>
            new LeaseStateResponse(l.Id, i < statuses.Count && statuses[i].Held ? (statuses[i].CancelRequested ? "cancel-requested" : "ok") : "lost"))]));
    }

    private static LeaseRef Lease(LeaseRefRequest? item, string at)
    {
        if (item is null) throw ApiProblemException.Invalid(at, "must be an object with id and leaseToken");
        if (item.Id is not > 0) throw ApiProblemException.Invalid(at + ".id", "is required: a positive task id");
        if (item.LeaseToken is not { } token || token == Guid.Empty) throw ApiProblemException.Invalid(at + ".leaseToken", "is required: the token the lease call handed out");
        return new LeaseRef(item.Id.Value, token);
    }

    private static async Task<IResult> CompleteAsync(HttpContext http, string workerId, WorkerPresence presence, INexusAttempts attempts)
    {
        var id = WorkerEndpoints.Id(workerId);
        var body = await RequestJson.ReadAsync<CompleteRequest>(http.Request);
        var items = body!.Completions ?? throw ApiProblemException.Invalid("completions", "is required");
        if (items.Count is 0 or > MaxBatch) throw ApiProblemException.Invalid("completions", $"must hold 1–{MaxBatch} completions (had {items.Count})");
        for (var i = 0; i < items.Count; i++) Check(items[i], $"completions[{i}]");

        await presence.EnsureVisibleAsync(id, Caller.From(http.User), http.RequestAborted);
        await presence.SeenAsync(id, http.RequestAborted);
        // The engine's own attempt pipeline decides each outcome (retry under the task's or its plugin's policy, or
        // dead), writes them in one round trip fenced by their lease tokens, and counts them.
        var accepted = await attempts.CompleteAsync([.. items.Select(item => new ReportedOutcome(item!.Id!.Value, item.LeaseToken!.Value, Outcome(item)))], http.RequestAborted);
        return Results.Ok(new CompleteResponse([.. items.Select((item, i) => new CompletionResultResponse(item!.Id!.Value, accepted[i]))]));
    }

    private static AttemptOutcome Outcome(CompletionRequest item) => item.Outcome switch
    {
        "succeeded" => AttemptOutcome.Succeeded(item.Result is { } r ? r.GetRawText() : "null"),
        "cancelled" => AttemptOutcome.Cancelled(new AttemptFailure("OperationCanceledException", "Cancelled by request (the external worker stopped).")),
        _ => AttemptOutcome.Failed(new AttemptFailure(item.Error!.Type ?? "ExternalWorkerError", item.Error.Message!, item.Error.StackTrace), retryable: item.Retryable != false),
    };

    private static void Check(CompletionRequest? item, string at)
    {
        if (item is null) throw ApiProblemException.Invalid(at, "must be a completion object");
        Lease(new LeaseRefRequest { Id = item.Id, LeaseToken = item.LeaseToken }, at);
        switch (item.Outcome)
        {
            case "succeeded":
                break;
            case "failed":
                if (string.IsNullOrWhiteSpace(item.Error?.Message)) throw ApiProblemException.Invalid(at + ".error.message", "is required when the outcome is failed");
                if (item.Error.Message.Length > MaxErrorMessage) throw ApiProblemException.Invalid(at + ".error.message", $"must be at most {MaxErrorMessage} characters");
                if (item.Error.Type is { Length: 0 or > 200 }) throw ApiProblemException.Invalid(at + ".error.type", "must be 1–200 characters");
                if (item.Error.StackTrace is { Length: > 16_000 }) throw ApiProblemException.Invalid(at + ".error.stackTrace", "must be at most 16000 characters");
                break;
            case "cancelled":
                break;
            default:
                throw ApiProblemException.Invalid(at + ".outcome", $"'{QueryValues.Shorten(item.Outcome ?? "(none)")}' is not an outcome: use succeeded, failed or cancelled");
        }
    }
}
