using Nexus.Dashboard.Access;
using Nexus.Server.Auth;

namespace Nexus.Server.Dashboard;

/// <summary>The dashboard's view of a <see cref="Auth.Caller"/>: every question is answered by the caller's own methods,
/// so the dashboard applies the API's one authorization rule (roles and queue limits), not a second one.</summary>
internal sealed class CallerDashboardUser(Caller caller) : IDashboardUser
{
    public string Name => caller.Name;

    public IReadOnlyList<string> Roles => caller.Roles;

    public bool IsDevelopmentAccess => caller.Method == DevelopmentAccess.Method;

    public IReadOnlySet<string>? Queues => caller.Queues;

    public bool Has(DashboardRight right) => caller.Has(right switch
    {
        DashboardRight.Read => Right.Read,
        DashboardRight.Submit => Right.Submit,
        DashboardRight.Manage => Right.Manage,
        DashboardRight.Plugins => Right.Plugins,
        DashboardRight.Keys => Right.Keys,
        _ => throw new ArgumentOutOfRangeException(nameof(right), right, null),
    });

    public IReadOnlySet<string>? Namespaces => caller.Namespaces;

    public bool CanUseNamespace(string ns) => caller.CanUseNamespace(ns);

    public bool CanUse(string queue) => caller.CanUse(queue);

    public bool CanUseAll(IReadOnlyCollection<string> queues) => caller.CanUseAll(queues);
}
