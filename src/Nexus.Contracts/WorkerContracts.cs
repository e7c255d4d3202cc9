using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexus.Contracts;

/// <summary>An external worker registers (or re-registers) with the plugins it serves.</summary>
public sealed record RegisterWorkerRequest
{
    /// <summary>An empty registration: set the fields with an initializer.</summary>
    public RegisterWorkerRequest() { }

    /// <summary>A registration with its required fields; the others with an initializer.</summary>
    public RegisterWorkerRequest(IReadOnlyList<DeclaredPluginRequest> plugins)
    {
        Plugins = plugins;
    }

    /// <summary>The plugins it serves (1–100).</summary>
    public IReadOnlyList<DeclaredPluginRequest>? Plugins { get; init; }
    /// <summary>Tasks it runs at once (1–10000). Default 1. Shown in the node list.</summary>
    public int? Concurrency { get; init; }
    /// <summary>The machine it runs on, for the node list (at most 255 characters). Default: the caller's address.</summary>
    public string? Host { get; init; }
}

/// <summary>A plugin an external worker serves.</summary>
public sealed record DeclaredPluginRequest
{
    /// <summary>An empty plugin declaration: set the fields with an initializer.</summary>
    public DeclaredPluginRequest() { }

    /// <summary>A plugin declaration with its required fields; the others with an initializer.</summary>
    public DeclaredPluginRequest(string name)
    {
        Name = name;
    }

    /// <summary>The stable name tasks are submitted to: lower-case letters, digits and . _ - (1–128, starting with a letter or digit). Must not be the name of a plugin of the server itself.</summary>
    public string? Name { get; init; }
    /// <summary>What it does (at most 1000 characters).</summary>
    public string? Description { get; init; }
    /// <summary>Its version (at most 64 characters). Default <c>1.0.0</c>.</summary>
    public string? Version { get; init; }
    /// <summary>The queue its tasks go to and workers lease from. Default <c>external</c>.</summary>
    public string? Queue { get; init; }
    /// <summary>The JSON schema of its args (an object schema in the supported subset). Default: any object.</summary>
    public JsonElement? ArgsSchema { get; init; }
    /// <summary>Default attempts (1–1000), or null for the server's default.</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>Default per-attempt time limit in milliseconds, or null for none.</summary>
    public long? TimeoutMs { get; init; }
}

/// <summary>What the server registered, and how to pace leases and heartbeats.</summary>
/// <param name="Id">The worker id.</param>
/// <param name="Plugins">The plugins it serves.</param>
/// <param name="Queues">The queues it leases from (its plugins' queues it may use).</param>
/// <param name="LeaseMs">How long a lease lasts without a heartbeat.</param>
/// <param name="HeartbeatMs">How often to heartbeat running tasks (a third of the lease or less is safe).</param>
/// <param name="MaxLease">Most tasks one lease call hands out.</param>
/// <param name="MaxWaitMs">Longest long poll.</param>
public sealed record RegisterWorkerResponse(string Id, IReadOnlyList<string> Plugins, IReadOnlyList<string> Queues, long LeaseMs, long HeartbeatMs, int MaxLease, int MaxWaitMs);

/// <summary>Asks for tasks.</summary>
public sealed record LeaseRequest
{
    /// <summary>Most tasks to take (1–100). Default 1.</summary>
    public int? Max { get; init; }
    /// <summary>How long to wait for a task when none is ready (0–30000 ms). Default 0: answer at once.</summary>
    public int? WaitMs { get; init; }
}

/// <summary>Leased tasks (possibly none).</summary>
public sealed record LeaseResponse(IReadOnlyList<LeasedTask> Tasks);

/// <summary>A task leased to a worker. Present <see cref="LeaseToken"/> with every heartbeat and completion.</summary>
public sealed record LeasedTask(long Id, string Plugin, string Queue, JsonElement Args, int Attempt, int MaxAttempts, Guid LeaseToken, DateTimeOffset? LeaseExpiresAt, long? TimeoutMs)
{
    /// <summary>This attempt's lease, for a heartbeat. Not on the wire.</summary>
    [JsonIgnore]
    public LeaseRefRequest Lease => new(Id, LeaseToken);
}

/// <summary>Names a lease.</summary>
public sealed record LeaseRefRequest
{
    /// <summary>An empty lease reference: set the fields with an initializer.</summary>
    public LeaseRefRequest() { }

    /// <summary>A lease reference with its required fields; the others with an initializer.</summary>
    public LeaseRefRequest(long id, Guid leaseToken)
    {
        Id = id;
        LeaseToken = leaseToken;
    }

    /// <summary>The task id.</summary>
    public long? Id { get; init; }
    /// <summary>The token its lease call handed out.</summary>
    public Guid? LeaseToken { get; init; }
}

/// <summary>Extends the leases of running tasks in one round trip.</summary>
public sealed record WorkerHeartbeatRequest
{
    /// <summary>The leases to extend (1–1000).</summary>
    public IReadOnlyList<LeaseRefRequest?>? Leases { get; init; }
}

/// <summary>Each lease's state after a heartbeat, in request order.</summary>
public sealed record WorkerHeartbeatResponse(IReadOnlyList<LeaseStateResponse> Leases);

/// <summary>A lease's state: <c>ok</c> (extended), <c>lost</c> (stop: the result would be refused) or <c>cancel-requested</c> (extended, but stop and complete as cancelled).</summary>
public sealed record LeaseStateResponse(long Id, string Status);

/// <summary>Hands in outcomes in one round trip.</summary>
public sealed record CompleteRequest
{
    /// <summary>The outcomes (1–1000).</summary>
    public IReadOnlyList<CompletionRequest?>? Completions { get; init; }
}

/// <summary>One attempt's outcome.</summary>
public sealed record CompletionRequest
{
    /// <summary>An empty completion: set the fields with an initializer.</summary>
    public CompletionRequest() { }

    /// <summary>A completion with its required fields; the others with an initializer.</summary>
    public CompletionRequest(long id, Guid leaseToken, string outcome)
    {
        Id = id;
        LeaseToken = leaseToken;
        Outcome = outcome;
    }

    /// <summary>The task id.</summary>
    public long? Id { get; init; }
    /// <summary>The token its lease call handed out.</summary>
    public Guid? LeaseToken { get; init; }
    /// <summary><c>succeeded</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    public string? Outcome { get; init; }
    /// <summary>The result (any JSON) when succeeded.</summary>
    public JsonElement? Result { get; init; }
    /// <summary>What went wrong when failed.</summary>
    public WorkerErrorRequest? Error { get; init; }
    /// <summary>When failed: true retries with backoff while attempts remain (then dead); false is dead at once. Default true.</summary>
    public bool? Retryable { get; init; }

    /// <summary>The task succeeded with <paramref name="result"/> (default null: JSON <c>null</c>).</summary>
    public static CompletionRequest Succeeded(LeasedTask task, JsonElement? result = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new(task.Id, task.LeaseToken, "succeeded") { Result = result };
    }

    /// <summary>The attempt failed with <paramref name="error"/>; <paramref name="retryable"/> (default true) retries while attempts remain, false makes the task dead at once.</summary>
    public static CompletionRequest Failed(LeasedTask task, WorkerErrorRequest error, bool retryable = true)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(error);
        return new(task.Id, task.LeaseToken, "failed") { Error = error, Retryable = retryable };
    }

    /// <summary>The attempt stopped because cancellation was asked for (a heartbeat said <c>cancel-requested</c>).</summary>
    public static CompletionRequest Cancelled(LeasedTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new(task.Id, task.LeaseToken, "cancelled");
    }
}

/// <summary>A failed attempt's error.</summary>
public sealed record WorkerErrorRequest
{
    /// <summary>An empty error: set the fields with an initializer.</summary>
    public WorkerErrorRequest() { }

    /// <summary>A error with its required fields; the others with an initializer.</summary>
    public WorkerErrorRequest(string message)
    {
        Message = message;
    }

    /// <summary>The message (required, at most 4000 characters).</summary>
    public string? Message { get; init; }
    /// <summary>A short error type, e.g. <c>TypeError</c> (at most 200 characters). Default <c>ExternalWorkerError</c>.</summary>
    public string? Type { get; init; }
    /// <summary>A stack trace (at most 16000 characters).</summary>
    public string? StackTrace { get; init; }
}

/// <summary>Whether each completion was stored, in request order. Refused ones lost their lease (rescued, cancelled, deleted or leased again): their outcome is dropped.</summary>
public sealed record CompleteResponse(IReadOnlyList<CompletionResultResponse> Results);

/// <summary>One completion's fate.</summary>
public sealed record CompletionResultResponse(long Id, bool Accepted);

/// <summary>What a deregistration did.</summary>
/// <param name="Released">Tasks the worker still held, handed back to their queues without spending the attempt.</param>
public sealed record DeregisterResponse(int Released);
