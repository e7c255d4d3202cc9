using System.Diagnostics;

namespace Nexus.Observability;

/// <summary>The W3C trace context stored with a task: <c>traceparent</c>, then, when the trace has one, a newline and
/// <c>tracestate</c> (which cannot contain a newline).</summary>
internal static class TaskTraceContext
{
    /// <summary>The context of <paramref name="activity"/> (W3C ids only), or null without one: tasks submitted
    /// outside any trace store nothing.</summary>
    public static string? Capture(Activity? activity)
    {
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C || activity.Id is not { } id) return null;
        return string.IsNullOrEmpty(activity.TraceStateString) ? id : id + "\n" + activity.TraceStateString;
    }

    /// <summary>Parses a stored context; false when there is none or it is malformed.</summary>
    public static bool TryParse(string? stored, out ActivityContext context)
    {
        context = default;
        if (string.IsNullOrEmpty(stored)) return false;
        var newline = stored.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0
            ? ActivityContext.TryParse(stored, null, isRemote: true, out context)
            : ActivityContext.TryParse(stored[..newline], stored[(newline + 1)..], isRemote: true, out context);
    }
}
