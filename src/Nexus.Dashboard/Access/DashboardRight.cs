namespace Nexus.Dashboard.Access;

/// <summary>What a dashboard page or action needs. The host maps each to its own authorization rule (the server: its
/// API rights), so the dashboard never decides on its own who may do what.</summary>
public enum DashboardRight
{
    /// <summary>See tasks, queues, nodes, dead letters.</summary>
    Read,
    /// <summary>Submit tasks.</summary>
    Submit,
    /// <summary>Cancel, retry and delete tasks; pause, resume and limit queues; deregister service instances.</summary>
    Manage,
    /// <summary>See plugins and their args schemas.</summary>
    Plugins,
    /// <summary>Manage API keys.</summary>
    Keys,
}
