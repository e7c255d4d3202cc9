using Nexus.Observability;
using Nexus.Server.Auth;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Nexus.Server.Observability;

/// <summary><c>GET /metrics</c> (Prometheus text, the "read" right without a queue limit) and OpenTelemetry tracing over OTLP when configured.</summary>
internal static class ObservabilitySetup
{
    /// <summary>The server's own OTLP endpoint setting; the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> works too.</summary>
    public const string OtlpEndpointKey = "Nexus:Otel:Endpoint";

    public static void AddNexusObservability(this WebApplicationBuilder builder, Action<TracerProviderBuilder>? tracingHook)
    {
        var config = builder.Configuration;
        var nexusEndpoint = config[OtlpEndpointKey];
        var standardEndpoint = config["OTEL_EXPORTER_OTLP_ENDPOINT"];
        Uri? endpoint = null;
        if (!string.IsNullOrWhiteSpace(nexusEndpoint) && !Uri.TryCreate(nexusEndpoint, UriKind.Absolute, out endpoint))
        {
            throw new InvalidOperationException($"{OtlpEndpointKey} must be an absolute URL such as http://collector:4317 (was '{nexusEndpoint}').");
        }
        var exportOtlp = endpoint is not null || !string.IsNullOrWhiteSpace(standardEndpoint);

        var node = config["Nexus:NodeId"] ?? Environment.MachineName;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("nexus-server", serviceVersion: Api.SystemEndpoints.Version, serviceInstanceId: node))
            .WithMetrics(m => m.AddMeter(NexusTelemetry.MeterName).AddPrometheusExporter());
        // AddMeter matches by name, process-wide: keep only the meter of this host's IMeterFactory, so two servers in
        // one process (tests, or an application hosting two) neither mix their counts nor drop each other's
        // instruments as duplicates.
        builder.Services.ConfigureOpenTelemetryMeterProvider((sp, m) =>
        {
            var own = sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
            m.AddView(instrument => instrument.Meter.Name == NexusTelemetry.MeterName && !ReferenceEquals(instrument.Meter.Scope, own)
                ? MetricStreamConfiguration.Drop
                : null);
        });
        // Without an exporter nothing listens to the spans, so they are never created: no overhead by default.
        if (!exportOtlp && tracingHook is null) return;
        telemetry.WithTracing(t =>
            {
                t.AddSource(NexusTelemetry.ActivitySourceName);
                t.AddAspNetCoreInstrumentation(o => o.Filter = http =>
                    !http.Request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal)
                    && !http.Request.Path.StartsWithSegments("/healthz", StringComparison.Ordinal)
                    && !http.Request.Path.StartsWithSegments("/readyz", StringComparison.Ordinal));
                if (exportOtlp)
                {
                    t.AddOtlpExporter(o =>
                    {
                        if (endpoint is not null) o.Endpoint = endpoint;
                    });
                }
                tracingHook?.Invoke(t);
            });
    }

    public static void MapMetricsEndpoint(this IEndpointRouteBuilder app)
    {
        // Filtering the exposition by a queue label would still leak: many series (store latencies, worker slots,
        // completion buffer, runtime) have no queue label and sum every queue's load. Limited callers get 403.
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAllQueues().ExcludeFromDescription();
    }
}
