namespace Nexus.Hosting;

/// <summary>In-process signals of the task service, for hosts that wait for work on behalf of others (the server's
/// external-worker long polls). Resolve it from dependency injection after <c>AddNexus</c>.</summary>
public interface INexusTaskSignals
{
    /// <summary>Raised after tasks were submitted or retried through this process: the queues they went to, or null
    /// when unknown (a bulk retry). Handlers run on the submitting thread and must return at once. Tasks submitted by
    /// other processes arrive through <see cref="Storage.INexusStore.Notifications"/>, or by polling.</summary>
    event Action<IReadOnlyCollection<string>?>? TasksReady;
}
