namespace Nexus.Services;

/// <summary>Counters and health of an instance after one check.</summary>
/// <param name="Health">The new health.</param>
/// <param name="Passes">Checks passed in a row.</param>
/// <param name="Failures">Checks failed in a row.</param>
/// <param name="CriticalSince">Since when it is critical, or null.</param>
public readonly record struct HealthState(ServiceHealth Health, int Passes, int Failures, DateTimeOffset? CriticalSince);

/// <summary>Flap damping, written once (Consul's <c>success_before_passing</c> / <c>failures_before_critical</c>): an
/// instance becomes healthy only after <c>passesToHealthy</c> passes in a row, and a healthy one becomes critical only
/// after <c>failuresToCritical</c> failures in a row; a starting instance that fails as many times is critical too.</summary>
public static class HealthRules
{
    /// <summary>Applies one check's result.</summary>
    public static HealthState Apply(HealthState current, bool passed, int passesToHealthy, int failuresToCritical, DateTimeOffset now)
    {
        if (passed)
        {
            var passes = current.Passes + 1;
            return passes >= passesToHealthy
                ? new HealthState(ServiceHealth.Healthy, passes, 0, null)
                : current with { Passes = passes, Failures = 0 };
        }
        var failures = current.Failures + 1;
        if (failures >= failuresToCritical)
        {
            return new HealthState(ServiceHealth.Critical, 0, failures, current.Health == ServiceHealth.Critical ? current.CriticalSince ?? now : now);
        }
        return current with { Passes = 0, Failures = failures };
    }
}
