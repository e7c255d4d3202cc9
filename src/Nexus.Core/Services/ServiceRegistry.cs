using System.Text.RegularExpressions;
using Nexus.Storage;

namespace Nexus.Services;

/// <summary>Validates registrations, applies heartbeats through <see cref="HealthRules"/>, filters, chooses.</summary>
internal sealed partial class ServiceRegistry(INexusStore store, TimeProvider time, LeastLoaded balancer, Observability.ServiceMetrics metrics) : INexusServices
{
    public Task<ServiceInstance> RegisterAsync(ServiceRegistration registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ValidateName(registration.Name, "name");
        if (!IdPattern().IsMatch(registration.Id ?? "")) throw new TaskValidationException("id", "must be 1–128 letters, digits, '_', '.', '-' or ':', starting with a letter or digit");
        if (registration.Version is { Length: > 64 }) throw new TaskValidationException("version", "must be at most 64 characters");
        if (registration.BaseUrl is null || !registration.BaseUrl.IsAbsoluteUri || registration.BaseUrl.Scheme is not ("http" or "https"))
        {
            throw new TaskValidationException("baseUrl", "must be an absolute http or https URL");
        }
        if (registration.Capabilities.Count > 32 || registration.Capabilities.Any(c => string.IsNullOrWhiteSpace(c) || c.Length > 64))
        {
            throw new TaskValidationException("capabilities", "at most 32, each 1–64 characters");
        }
        if (registration.Metadata.Count > 32 || registration.Metadata.Any(kv => kv.Key.Length is 0 or > 64 || kv.Value.Length > 512))
        {
            throw new TaskValidationException("metadata", "at most 32 entries, keys 1–64 and values up to 512 characters");
        }
        var mode = registration.CheckMode ?? (registration.HealthCheckPath is null ? ServiceCheckMode.Ttl : ServiceCheckMode.Http);
        if (mode == ServiceCheckMode.Http && (registration.HealthCheckPath is not { } path || !path.StartsWith('/') || path.Length > 512))
        {
            throw new TaskValidationException("healthCheckPath", "is required for HTTP checks and must start with '/' (at most 512 characters)");
        }
        Range(registration.Ttl, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), "ttl");
        Range(registration.CheckInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), "checkInterval");
        Range(registration.DeregisterAfter, TimeSpan.FromSeconds(1), TimeSpan.FromDays(30), "deregisterAfter");
        if (registration.PassesToHealthy is < 1 or > 100) throw new TaskValidationException("passesToHealthy", "must be between 1 and 100");
        if (registration.FailuresToCritical is < 1 or > 100) throw new TaskValidationException("failuresToCritical", "must be between 1 and 100");
        return store.Services.UpsertAsync(registration, mode, time.GetUtcNow(), cancellationToken);
    }

    public async Task<ServiceInstance?> HeartbeatAsync(string name, string id, CancellationToken cancellationToken = default)
    {
        var instance = await store.Services.GetAsync(name, id, cancellationToken);
        if (instance is null) return null;
        var now = time.GetUtcNow();
        var state = HealthRules.Apply(new HealthState(instance.Health, instance.Passes, instance.Failures, instance.CriticalSince), true,
            instance.PassesToHealthy, instance.FailuresToCritical, now);
        await store.Services.RecordAsync(new ServiceCheckRecord(name, id, state, now) { Seen = true }, cancellationToken);
        return await store.Services.GetAsync(name, id, cancellationToken);
    }

    public Task<bool> DeregisterAsync(string name, string id, CancellationToken cancellationToken = default) =>
        store.Services.DeregisterAsync(name, id, cancellationToken);

    public async Task<IReadOnlyList<ServiceInstance>> ListAsync(string? name = null, IReadOnlyList<string>? capabilities = null, ServiceHealth? health = null, CancellationToken cancellationToken = default)
    {
        if (name is not null) ValidateName(name, "name");
        var all = await store.Services.ListAsync(name, cancellationToken);
        return [.. all.Where(i => (health is null || i.Health == health) && (capabilities ?? []).All(i.Capabilities.Contains))];
    }

    public async Task<ServiceInstance?> ChooseAsync(string name, IReadOnlyList<string>? capabilities = null, CancellationToken cancellationToken = default) =>
        balancer.Choose(await ListAsync(name, capabilities, ServiceHealth.Healthy, cancellationToken));

    public IDisposable StartInvoke(ServiceInstance instance) => balancer.Start(instance);

    public void RecordInvoke(string service, int status) => metrics.Invoked(service, status);

    public int InFlight(ServiceInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return balancer.InFlight(instance.Name, instance.Id);
    }

    internal static void ValidateName(string? name, string field)
    {
        if (!NamePattern().IsMatch(name ?? "")) throw new TaskValidationException(field, "must be 1–64 letters, digits, '_', '.' or '-', starting with a letter or digit");
    }

    private static void Range(TimeSpan value, TimeSpan min, TimeSpan max, string field)
    {
        if (value < min || value > max) throw new TaskValidationException(field, $"must be between {min} and {max}");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
    private static partial Regex IdPattern();
}
