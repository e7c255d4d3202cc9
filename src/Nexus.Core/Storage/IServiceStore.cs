using Nexus.Services;

namespace Nexus.Storage;

/// <summary>The service registry's instances. Health (after flap damping, decided in Core by <see cref="HealthRules"/>)
/// is written by whoever checked; every time is the caller's explicit clock.</summary>
public interface IServiceStore
{
    /// <summary>Registers or re-registers an instance (every field replaced); a new registration starts
    /// <see cref="ServiceHealth.Starting"/> with no passes, a re-registration keeps its health and counters.</summary>
    Task<ServiceInstance> UpsertAsync(ServiceRegistration registration, ServiceCheckMode mode, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>One instance, or null.</summary>
    Task<ServiceInstance?> GetAsync(string name, string id, CancellationToken cancellationToken = default);

    /// <summary>Instances by service name and id, optionally only one service's.</summary>
    Task<IReadOnlyList<ServiceInstance>> ListAsync(string? name = null, CancellationToken cancellationToken = default);

    /// <summary>Writes a check's outcome (health, counters, error) and, for a heartbeat, the last-seen time.</summary>
    Task<bool> RecordAsync(ServiceCheckRecord record, CancellationToken cancellationToken = default);

    /// <summary>Removes an instance; false when there is none.</summary>
    Task<bool> DeregisterAsync(string name, string id, CancellationToken cancellationToken = default);

    /// <summary>Removes instances critical for longer than their own <see cref="ServiceInstance.DeregisterAfter"/>; returns them.</summary>
    Task<IReadOnlyList<ServiceInstance>> DeregisterCriticalAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}

/// <summary>A check's outcome for <see cref="IServiceStore.RecordAsync"/>.</summary>
/// <param name="Name">The service.</param>
/// <param name="Id">The instance.</param>
/// <param name="State">Health and counters after the check.</param>
/// <param name="CheckedAt">When.</param>
public sealed record ServiceCheckRecord(string Name, string Id, HealthState State, DateTimeOffset CheckedAt)
{
    /// <summary>Why it failed, or null when it passed.</summary>
    public string? Error { get; init; }
    /// <summary>True for a heartbeat: also moves the last-seen time to <see cref="CheckedAt"/>.</summary>
    public bool Seen { get; init; }
}
