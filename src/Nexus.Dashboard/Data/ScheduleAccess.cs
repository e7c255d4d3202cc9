using Nexus.Dashboard.Access;
using Nexus.Scheduling;
using Nexus.Storage;

namespace Nexus.Dashboard.Data;

/// <summary>The API's rule for schedules, on the dashboard: a caller limited to queues sees a schedule only when it
/// submits tasks to one of its queues (event and workflow schedules belong to no queue).</summary>
internal static class ScheduleAccess
{
    public static bool Visible(IDashboardUser caller, INexusSchedules schedules, ScheduleRecord s) =>
        caller.Queues is null || (schedules.QueueOf(s) is { } queue && caller.CanUse(queue));
}
