using Nexus.Dashboard.Access;

namespace Nexus.Dashboard.Data;

/// <summary>The API's rule for workflows, on the dashboard: a workflow's steps may run in any queue, so a caller limited
/// to queues sees no workflow page (deny by default, as <c>/api/v1/workflows</c> answers 403 <c>workflows-forbidden</c>).</summary>
internal static class WorkflowAccess
{
    public static bool Allowed(IDashboardUser caller, Action<string> forbid)
    {
        if (caller.Queues is null) return true;
        forbid($"A workflow's steps may run in any queue, so a caller limited to queues ({string.Join(", ", caller.Queues.Order(StringComparer.Ordinal))}) may not see workflows.");
        return false;
    }
}
