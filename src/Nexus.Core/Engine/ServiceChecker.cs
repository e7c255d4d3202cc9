using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Observability;
using Nexus.Services;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>
/// The service registry's maintenance loop, on the elected node only (one node checks, so an instance is not probed
/// once per node): every tick it GETs the health-check path of each HTTP-mode instance whose check interval has passed
/// (a 2xx answer within the interval passes), counts a missed TTL as a failed check for TTL-mode instances (once per
/// TTL), applies flap damping (<see cref="HealthRules"/>), and deregisters instances critical for too long.
/// </summary>
internal sealed class ServiceChecker(INexusStore store, NexusOptions options, StoreClock clock, ServiceMetrics metrics, ILogger logger, LeaderElector? leader)
    : BackgroundLoop(clock.Time, logger, leader), IDisposable
{
    private readonly HttpClient _http = new();

    protected override string What => "service health checks";

    protected override TimeSpan Interval => options.ServiceCheckInterval;

    protected override bool TickAtStart => true;

    protected override async Task RunOnceAsync(CancellationToken stop)
    {
        var now = clock.Time.GetUtcNow();
        var all = await store.Services.ListAsync(null, stop).ConfigureAwait(false);
        var checks = new List<Task>();
        foreach (var instance in all)
        {
            var due = instance.CheckMode == ServiceCheckMode.Http
                ? instance.LastCheckAt is not { } last || now - last >= instance.CheckInterval
                : now - instance.LastSeenAt > instance.Ttl && (instance.LastCheckAt is not { } checkedAt || now - checkedAt >= instance.Ttl);
            if (due) checks.Add(CheckAsync(instance, now, stop));
        }
        await Task.WhenAll(checks).ConfigureAwait(false);
        // An idle registry (none due, none critical) costs one read a tick, not three.
        var deregistered = 0;
        if (all.Any(i => i.CriticalSince is not null) || checks.Count > 0)
        {
            foreach (var gone in await store.Services.DeregisterCriticalAsync(now, stop).ConfigureAwait(false))
            {
                deregistered++;
                Logger.LogWarning("Deregistered service {Service} instance {Instance}: critical since {Since}, longer than {After}.", gone.Name, gone.Id, gone.CriticalSince, gone.DeregisterAfter);
            }
        }
        metrics.Observe(checks.Count > 0 || deregistered > 0 ? await store.Services.ListAsync(null, stop).ConfigureAwait(false) : all);
    }

    private async Task CheckAsync(ServiceInstance instance, DateTimeOffset now, CancellationToken stop)
    {
        string? error = null;
        if (instance.CheckMode == ServiceCheckMode.Ttl)
        {
            error = $"no heartbeat for {(now - instance.LastSeenAt).TotalSeconds:0.#} s (ttl {instance.Ttl.TotalSeconds:0.#} s)";
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(instance.CheckInterval < TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(5) : instance.CheckInterval);
            try
            {
                using var response = await _http.GetAsync(new Uri(new Uri(instance.BaseUrl), instance.HealthCheckPath), HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode) error = $"health check answered {(int)response.StatusCode}";
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !stop.IsCancellationRequested)
            {
                error = ex is OperationCanceledException ? "health check timed out" : $"health check failed: {ex.Message}";
            }
        }
        var before = instance.Health;
        var state = HealthRules.Apply(new HealthState(instance.Health, instance.Passes, instance.Failures, instance.CriticalSince), error is null,
            instance.PassesToHealthy, instance.FailuresToCritical, now);
        await store.Services.RecordAsync(new ServiceCheckRecord(instance.Name, instance.Id, state, now) { Error = error }, stop).ConfigureAwait(false);
        if (state.Health != before)
        {
            metrics.Changed(instance.Name, state.Health);
            Logger.LogInformation("Service {Service} instance {Instance} is now {Health}{Why}.", instance.Name, instance.Id, state.Health.Name(), error is null ? "" : ": " + error);
        }
    }

    public void Dispose() => _http.Dispose();
}
