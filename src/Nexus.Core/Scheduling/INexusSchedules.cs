using Nexus.Storage;

namespace Nexus.Scheduling;

/// <summary>The in-process way to manage schedules. Resolve it from dependency injection after <c>AddNexus</c>.
/// Validation errors throw <see cref="TaskValidationException"/> naming the field.</summary>
public interface INexusSchedules
{
    /// <summary>Creates a schedule or replaces one of the same name (its cursor restarts now; history and pause are kept).</summary>
    Task<ScheduleRecord> PutAsync(ScheduleSpec spec, CancellationToken cancellationToken = default);
    /// <summary>Reads one schedule, or null.</summary>
    Task<ScheduleRecord?> GetAsync(string name, CancellationToken cancellationToken = default);
    /// <summary>Lists schedules by name (keyset paging after <paramref name="after"/>).</summary>
    Task<IReadOnlyList<ScheduleRecord>> ListAsync(string? after = null, int limit = 100, CancellationToken cancellationToken = default);
    /// <summary>Deletes a schedule and its history; false when there is none.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);
    /// <summary>Pauses a schedule with a reason and an optional time at which it resumes by itself; null when there is none.</summary>
    Task<ScheduleRecord?> PauseAsync(string name, string? reason, DateTimeOffset? resumeAt = null, CancellationToken cancellationToken = default);
    /// <summary>Resumes a schedule; slots missed while paused follow its misfire policy. Null when there is none.</summary>
    Task<ScheduleRecord?> ResumeAsync(string name, CancellationToken cancellationToken = default);
    /// <summary>The next <paramref name="count"/> (1–1000) slots of a schedule after now; null when there is none.</summary>
    Task<IReadOnlyList<DateTimeOffset>?> PreviewAsync(string name, int count, CancellationToken cancellationToken = default);
    /// <summary>The queue a schedule's fires go to (what a queue-limited caller is judged by), or null for event and
    /// workflow targets and for a task target that no longer resolves: those belong to no queue.</summary>
    string? QueueOf(ScheduleRecord schedule);
    /// <summary>The queue a spec's fires would go to, validating its target (throws <see cref="TaskValidationException"/>).</summary>
    string? QueueOf(ScheduleSpec spec);
    /// <summary>A schedule's history of fires, newest slot first.</summary>
    Task<IReadOnlyList<ScheduleFireRecord>> HistoryAsync(string name, DateTimeOffset? before = null, int limit = 100, CancellationToken cancellationToken = default);
}
