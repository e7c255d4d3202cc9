namespace Nexus.Dashboard.Access;

/// <summary>The signed-in caller as the dashboard sees it. The host implements it over its own authorization rule (the
/// server: its <c>Caller</c>), so pages ask the same questions the API asks and get the same answers.</summary>
public interface IDashboardUser
{
    /// <summary>Who is signed in, for display (e.g. <c>key:ops</c>).</summary>
    string Name { get; }

    /// <summary>The caller's roles, for display.</summary>
    IReadOnlyList<string> Roles { get; }

    /// <summary>True when signed in through the development mode's anonymous loopback access.</summary>
    bool IsDevelopmentAccess { get; }

    /// <summary>The queues the caller is limited to, or null for every queue.</summary>
    IReadOnlySet<string>? Queues { get; }

    /// <summary>The event and state namespaces the caller is limited to, or null for every one (a caller with any limit,
    /// of queues or of namespaces, reaches only the namespaces named: none unless granted).</summary>
    IReadOnlySet<string>? Namespaces { get; }

    /// <summary>True when the caller may see and act on the namespace <paramref name="ns"/>.</summary>
    bool CanUseNamespace(string ns);

    /// <summary>True when the caller's roles grant <paramref name="right"/>.</summary>
    bool Has(DashboardRight right);

    /// <summary>True when the caller may see and act on <paramref name="queue"/>.</summary>
    bool CanUse(string queue);

    /// <summary>True when every one of <paramref name="queues"/> is the caller's (an empty list, meaning every queue, is only
    /// an unlimited caller's).</summary>
    bool CanUseAll(IReadOnlyCollection<string> queues);
}
