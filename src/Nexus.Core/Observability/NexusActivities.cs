using System.Diagnostics;

namespace Nexus.Observability;

/// <summary>The engine's spans. Without a listener on <see cref="NexusTelemetry.ActivitySourceName"/>,
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and costs a flag check.</summary>
internal static class NexusActivities
{
    public const string SubmitName = "nexus.submit";
    public const string ExecuteName = "nexus.execute";

    public static readonly ActivitySource Source = new(NexusTelemetry.ActivitySourceName, typeof(NexusActivities).Assembly.GetName().Version?.ToString());

    /// <summary>Starts the Producer span of one submit call (a batch is one span with a count).</summary>
    public static Activity? StartSubmit(int count)
    {
        if (!Source.HasListeners()) return null;
        var activity = Source.StartActivity(SubmitName, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "nexus");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("nexus.task.count", count);
        }
        return activity;
    }
}
