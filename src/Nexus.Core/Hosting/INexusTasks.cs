using Nexus.Tasks;

namespace Nexus.Hosting;

/// <summary>The in-process way to submit and manage tasks. Resolve it from dependency injection after <c>AddNexus</c>.</summary>
public interface INexusTasks
{
    /// <summary>Submits one task with typed args (serialized with <see cref="NexusJson.Options"/>).</summary>
    Task<SubmitResult> SubmitAsync<TArgs>(string plugin, TArgs args, SubmitOptions? options = null, CancellationToken cancellationToken = default);
    /// <summary>Submits one task whose args are JSON text. Validates the plugin name, args and options first;
    /// throws <see cref="TaskValidationException"/> naming the field, <see cref="UnknownPluginException"/>, or <see cref="QueueFullException"/>.</summary>
    Task<SubmitResult> SubmitJsonAsync(string plugin, string argsJson, SubmitOptions? options = null, CancellationToken cancellationToken = default);
    /// <summary>Submits many tasks in one round trip; all are validated before any is stored. Results are in request order.</summary>
    Task<IReadOnlyList<SubmitResult>> SubmitManyAsync(IReadOnlyList<TaskRequest> requests, CancellationToken cancellationToken = default);
    /// <summary>Validates and resolves requests into rows without storing them (used by transactional submits in drivers).</summary>
    IReadOnlyList<Storage.NewTask> Prepare(IReadOnlyList<TaskRequest> requests);
    /// <summary>Reads a task, or null.</summary>
    Task<TaskRecord?> GetAsync(long id, CancellationToken cancellationToken = default);
    /// <summary>Lists tasks, newest first.</summary>
    Task<TaskPage> ListAsync(TaskQuery query, CancellationToken cancellationToken = default);
    /// <summary>Waits until the task reaches a terminal state and returns it. Throws <see cref="KeyNotFoundException"/> for an unknown id.</summary>
    Task<TaskRecord> WaitAsync(long id, CancellationToken cancellationToken = default);
    /// <summary>Cancels a task (see <see cref="Storage.CancelOutcome"/>).</summary>
    Task<Storage.CancelOutcome> CancelAsync(long id, CancellationToken cancellationToken = default);
    /// <summary>Manually retries a dead or cancelled task.</summary>
    Task<Storage.RetryOutcome> RetryAsync(long id, CancellationToken cancellationToken = default);
    /// <summary>Manually retries a dead or cancelled task with new args (<paramref name="argsJson"/>, checked against its
    /// plugin's schema like a submit's; null keeps the task's own). The attempts and errors so far are kept.</summary>
    Task<Storage.RetryOutcome> RetryAsync(long id, string? argsJson, CancellationToken cancellationToken = default);
    /// <summary>Deletes a task that is not running.</summary>
    Task<Storage.DeleteOutcome> DeleteAsync(long id, CancellationToken cancellationToken = default);
    /// <summary>Manually retries up to <paramref name="max"/> dead or cancelled tasks matching <paramref name="filter"/>
    /// (oldest first, one statement) and returns how many. Throws <see cref="TaskValidationException"/> naming the field.</summary>
    Task<int> RetryManyAsync(Storage.TaskFilter filter, int max, CancellationToken cancellationToken = default);
    /// <summary>Makes waiting tasks (submitted with <see cref="Tasks.SubmitOptions.Waiting"/>) available now, in one
    /// statement, and wakes the workers; ids that are not waiting are left alone. Returns how many were released.
    /// Throws <see cref="TaskValidationException"/> when more than 10,000 ids are given.</summary>
    Task<int> ReleaseAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default);
    /// <summary>Deletes up to <paramref name="max"/> tasks matching <paramref name="filter"/> (oldest first, one
    /// statement, never a running one) and returns how many.</summary>
    Task<int> DeleteManyAsync(Storage.TaskFilter filter, int max, CancellationToken cancellationToken = default);
}
