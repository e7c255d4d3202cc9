namespace Nexus.Dashboard.Hosting;

/// <summary>Endpoint metadata marking the dashboard's own endpoints (pages and assets): they get its security headers.</summary>
public sealed class DashboardEndpoint
{
    /// <summary>The one instance.</summary>
    public static DashboardEndpoint Instance { get; } = new();

    private DashboardEndpoint()
    {
    }
}
