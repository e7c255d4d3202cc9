using System.Text.Json;

namespace Nexus.Client;

/// <summary>An external worker's registration (<c>PUT /api/v1/workers/{workerId}</c>): the plugins it serves. Fields
/// left null are not sent, so the server's defaults apply.</summary>
/// <param name="Plugins">The plugins it serves (1–100). A later registration of the same name replaces the earlier one.</param>
public sealed record WorkerRegistration(IReadOnlyList<WorkerPlugin> Plugins)
{
    /// <summary>Tasks it runs at once (1–10000), shown in the node list. Default (null): 1.</summary>
    public int? Concurrency { get; init; }
    /// <summary>The machine it runs on, for the node list (at most 255 characters). Default (null): the caller's address.</summary>
    public string? Host { get; init; }
}

/// <summary>A plugin an external worker serves. Only <see cref="Name"/> is required.</summary>
/// <param name="Name">The name tasks are submitted to: lower-case letters, digits and <c>. _ -</c> (1–128, starting with a
/// letter or digit). It must not be the name of a plugin of the server itself (<c>409 plugin-conflict</c>).</param>
public sealed record WorkerPlugin(string Name)
{
    /// <summary>What it does (at most 1000 characters). Default (null): empty.</summary>
    public string? Description { get; init; }
    /// <summary>Its version (1–64 characters). Default (null): <c>1.0.0</c>.</summary>
    public string? Version { get; init; }
    /// <summary>The queue its tasks go to and the worker leases from. Default (null): <c>external</c>.</summary>
    public string? Queue { get; init; }
    /// <summary>The JSON schema its args are validated against at every submit: an object schema in the subset
    /// docs/api.md lists. Default (null): any object.</summary>
    public JsonElement? ArgsSchema { get; init; }
    /// <summary>Default attempts of its tasks (1–1000). Default (null): the server's (25).</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>Default per-attempt time limit in milliseconds (1 to 7 days). Default (null): none.</summary>
    public long? TimeoutMs { get; init; }
}

/// <summary>What the server registered, and how to pace leases and heartbeats.</summary>
/// <param name="Id">The worker id.</param>
/// <param name="Plugins">The plugins it serves.</param>
/// <param name="Queues">The queues it leases from.</param>
/// <param name="LeaseMs">How long a lease lasts without a heartbeat (the server's <c>Nexus:LeaseDuration</c>).</param>
/// <param name="HeartbeatMs">How often to heartbeat running tasks.</param>
/// <param name="MaxLease">Most tasks one lease call hands out (100).</param>
/// <param name="MaxWaitMs">Longest long poll of a lease call (30000).</param>
public sealed record RegisteredWorker(string Id, IReadOnlyList<string> Plugins, IReadOnlyList<string> Queues, long LeaseMs, long HeartbeatMs, int MaxLease, int MaxWaitMs);

/// <summary>A task leased to a worker. Present its <see cref="Lease"/> with every heartbeat and completion.</summary>
/// <param name="Id">The task id.</param>
/// <param name="Plugin">The plugin to run it with.</param>
/// <param name="Queue">Its queue.</param>
/// <param name="Args">The args, valid against the plugin's declared schema.</param>
/// <param name="Attempt">This attempt's number (1-based).</param>
/// <param name="MaxAttempts">Attempts allowed.</param>
/// <param name="LeaseToken">The token that fences this attempt's heartbeats and completion.</param>
/// <param name="LeaseExpiresAt">When the lease runs out unless a heartbeat extends it.</param>
/// <param name="TimeoutMs">The per-attempt time limit in milliseconds, or null for none.</param>
public sealed record LeasedTask(long Id, string Plugin, string Queue, JsonElement Args, int Attempt, int MaxAttempts, Guid LeaseToken,
    DateTimeOffset? LeaseExpiresAt, long? TimeoutMs)
{
    /// <summary>This attempt's lease, for <see cref="WorkersClient.HeartbeatAsync"/>.</summary>
    public TaskLease Lease => new(Id, LeaseToken);
}

/// <summary>Names a lease: a task and the token its lease call handed out.</summary>
/// <param name="Id">The task id.</param>
/// <param name="LeaseToken">The token.</param>
public sealed record TaskLease(long Id, Guid LeaseToken);

/// <summary>A lease's state after a heartbeat.</summary>
/// <param name="Id">The task id.</param>
/// <param name="Status">One of <see cref="LeaseStatuses"/>: <c>ok</c>, <c>lost</c> or <c>cancel-requested</c>.</param>
public sealed record LeaseState(long Id, string Status);

/// <summary>The lease states a heartbeat reports.</summary>
public static class LeaseStatuses
{
    /// <summary>Extended by the lease duration: carry on.</summary>
    public const string Ok = "ok";
    /// <summary>The lease is gone (rescued, deleted or leased again): stop, a completion would be refused.</summary>
    public const string Lost = "lost";
    /// <summary>Extended, but cancellation was asked for: stop and complete as cancelled.</summary>
    public const string CancelRequested = "cancel-requested";
}

/// <summary>One attempt's outcome, fenced by its lease token. Make one with <see cref="Succeeded"/>, <see cref="Failed"/>
/// or <see cref="Cancelled"/>.</summary>
/// <param name="Id">The task id.</param>
/// <param name="LeaseToken">The token its lease call handed out.</param>
/// <param name="Outcome"><c>succeeded</c>, <c>failed</c> or <c>cancelled</c>.</param>
public sealed record WorkerCompletion(long Id, Guid LeaseToken, string Outcome)
{
    /// <summary>The result (any JSON) when succeeded. Default (null): JSON <c>null</c>.</summary>
    public JsonElement? Result { get; init; }
    /// <summary>What went wrong; required when failed.</summary>
    public WorkerError? Error { get; init; }
    /// <summary>When failed: true retries with the task's backoff while attempts remain (then dead); false is dead at
    /// once. Default (null): true.</summary>
    public bool? Retryable { get; init; }

    /// <summary>The task succeeded with <paramref name="result"/> (default null: JSON <c>null</c>).</summary>
    public static WorkerCompletion Succeeded(LeasedTask task, JsonElement? result = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new(task.Id, task.LeaseToken, "succeeded") { Result = result };
    }

    /// <summary>The attempt failed with <paramref name="error"/>; <paramref name="retryable"/> (default true) retries
    /// while attempts remain, false makes the task dead at once.</summary>
    public static WorkerCompletion Failed(LeasedTask task, WorkerError error, bool retryable = true)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(error);
        return new(task.Id, task.LeaseToken, "failed") { Error = error, Retryable = retryable };
    }

    /// <summary>The attempt stopped because cancellation was asked for (a heartbeat said <c>cancel-requested</c>).</summary>
    public static WorkerCompletion Cancelled(LeasedTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new(task.Id, task.LeaseToken, "cancelled");
    }
}

/// <summary>A failed attempt's error, kept with the task.</summary>
/// <param name="Message">What went wrong (1–4000 characters).</param>
public sealed record WorkerError(string Message)
{
    /// <summary>A short error type, e.g. <c>TypeError</c> (1–200 characters). Default (null): <c>ExternalWorkerError</c>.</summary>
    public string? Type { get; init; }
    /// <summary>A stack trace (at most 16000 characters). Default (null): none.</summary>
    public string? StackTrace { get; init; }
}

/// <summary>One completion's fate.</summary>
/// <param name="Id">The task id.</param>
/// <param name="Accepted">True when stored; false when its lease was gone (rescued, cancelled, deleted or leased
/// again), in which case nothing changed.</param>
public sealed record CompletionResult(long Id, bool Accepted);

/// <summary>What a deregistration did.</summary>
/// <param name="Released">Tasks the worker still held, handed back to their queues without spending the attempt.</param>
public sealed record DeregisteredWorker(int Released);
