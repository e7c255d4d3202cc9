namespace Nexus.Services;

/// <summary>The service registry in process. Resolve it from dependency injection after <c>AddNexus</c>. Validation
/// errors throw <see cref="TaskValidationException"/> naming the field.</summary>
public interface INexusServices
{
    /// <summary>Registers or re-registers an instance.</summary>
    Task<ServiceInstance> RegisterAsync(ServiceRegistration registration, CancellationToken cancellationToken = default);
    /// <summary>A TTL heartbeat: counts as a passed check. Null when there is no such instance.</summary>
    Task<ServiceInstance?> HeartbeatAsync(string name, string id, CancellationToken cancellationToken = default);
    /// <summary>Removes an instance; false when there is none.</summary>
    Task<bool> DeregisterAsync(string name, string id, CancellationToken cancellationToken = default);
    /// <summary>Instances, filtered by service name, capability (all of them) and health.</summary>
    Task<IReadOnlyList<ServiceInstance>> ListAsync(string? name = null, IReadOnlyList<string>? capabilities = null, ServiceHealth? health = null, CancellationToken cancellationToken = default);
    /// <summary>Chooses a healthy instance of <paramref name="name"/> with the given capabilities, least loaded by power
    /// of two choices over this node's in-flight invokes; null when none is healthy.</summary>
    Task<ServiceInstance?> ChooseAsync(string name, IReadOnlyList<string>? capabilities = null, CancellationToken cancellationToken = default);
    /// <summary>Counts an invoke's outcome in the metrics (<c>nexus_service_invokes_total</c> by service and status).</summary>
    void RecordInvoke(string service, int status);
    /// <summary>Invokes in flight to an instance from this node.</summary>
    int InFlight(ServiceInstance instance);
    /// <summary>The in-flight counter of invokes; dispose the handle when the invoke ends.</summary>
    IDisposable StartInvoke(ServiceInstance instance);
}
