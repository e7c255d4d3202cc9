namespace Nexus.Observability;

/// <summary>The names under which Nexus publishes its telemetry, for exporters to subscribe to.</summary>
/// <example><code>
/// services.AddOpenTelemetry()
///     .WithTracing(t => t.AddSource(NexusTelemetry.ActivitySourceName))
///     .WithMetrics(m => m.AddMeter(NexusTelemetry.MeterName));
/// </code></example>
public static class NexusTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name of the engine's metrics: "Nexus".</summary>
    public const string MeterName = "Nexus";

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name of the submit and execution spans: "Nexus".</summary>
    public const string ActivitySourceName = "Nexus";
}
