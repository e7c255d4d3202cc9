using Nexus.Contracts;
using Nexus.Tasks;

namespace Nexus.Server.Api.Mapping;

/// <summary>A stored task in the wire shape of <see cref="TaskResponse"/>.</summary>
internal static class TaskMapping
{
    public static TaskResponse ToResponse(TaskRecord t) => new()
    {
        Id = t.Id,
        Plugin = t.Plugin,
        Queue = t.Queue,
        Priority = t.Priority,
        State = t.State.ToName(),
        Args = StoredJsonValue.Element(t.ArgsJson),
        Result = t.ResultJson is null ? null : StoredJsonValue.Element(t.ResultJson),
        Attempt = t.Attempt,
        MaxAttempts = t.MaxAttempts,
        RunAt = t.RunAt,
        CreatedAt = t.CreatedAt,
        AttemptedAt = t.AttemptedAt,
        FinishedAt = t.FinishedAt,
        LeasedBy = t.LeasedBy,
        Owner = t.Owner,
        LeaseExpiresAt = t.LeaseExpiresAt,
        UniqueKey = t.UniqueKey,
        Tags = t.Tags,
        Errors = [.. t.Errors.Select(e => new AttemptErrorResponse(e.Attempt, e.At, e.Type, e.Message, e.StackTrace))],
        Progress = t.Progress is { } p ? new ProgressResponse(p.Fraction, p.Message) : null,
        TimeoutMs = t.Timeout is { } timeout ? (long)timeout.TotalMilliseconds : null,
        Retry = t.Retry is { } r ? new RetryRequest { InitialDelayMs = r.InitialDelay.TotalMilliseconds, Multiplier = r.Multiplier, MaxDelayMs = r.MaxDelay.TotalMilliseconds, Jitter = r.Jitter } : null,
        CancelRequested = t.CancelRequested,
    };
}
