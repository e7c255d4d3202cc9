namespace Nexus.Hosting;

/// <summary>In-process signals of the task service, for hosts that wait for work on behalf of others (the server's
/// external-worker long polls). Resolve it from dependency injection after <c>AddNexus</c>.</summary>
public interface INexusTaskSignals
{
    /// <summary>Raised after tasks were submitted or retried through this process: the queues they went to, or null
    /// when unknown (a bulk retry). Handlers run on the submitting thread and must return at once. Tasks submitted by
    /// other processes arrive through <see cref="Storage.INexusStore.Notifications"/>, or by polling.</summary>
    event Action<IReadOnlyCollection<string>?>? TasksReady;

    /// <summary>Tells this process's dispatchers to look for work now instead of at their next poll, and raises
    /// <see cref="TasksReady"/> with null. For hosts that moved a fake clock past tasks' run times (Nexus.Testing's
    /// <c>NexusTestHost.AdvanceAsync</c>); harmless at any time, since wake-ups coalesce.</summary>
    void Wake();
}
