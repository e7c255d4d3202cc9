namespace Nexus.Server.Auth;

/// <summary>The roles an API key or JWT can carry, and what each may do.</summary>
public static class NexusRoles
{
    /// <summary>Everything, including API keys.</summary>
    public const string Admin = "admin";
    /// <summary>Submit and manage tasks, dead letters and queues; read everything.</summary>
    public const string Operator = "operator";
    /// <summary>Read tasks, queues, plugins and artifacts.</summary>
    public const string Viewer = "viewer";
    /// <summary>External workers: list plugins and (with the worker API) lease and complete tasks.</summary>
    public const string Worker = "worker";

    /// <summary>Every role, most powerful first.</summary>
    public static IReadOnlyList<string> All { get; } = [Admin, Operator, Viewer, Worker];

    /// <summary>True for a known role name.</summary>
    public static bool IsValid(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);

    /// <summary>True when <paramref name="role"/> grants <paramref name="right"/>.</summary>
    public static bool Grants(string role, Right right) => right switch
    {
        Right.Read => role is Admin or Operator or Viewer,
        Right.Submit or Right.Manage => role is Admin or Operator,
        Right.Plugins => role is Admin or Operator or Viewer or Worker,
        Right.Work => role is Admin or Worker,
        Right.Keys => role is Admin,
        _ => false,
    };

    /// <summary>The roles that grant a right, for error messages.</summary>
    public static IEnumerable<string> Granting(Right right) => All.Where(r => Grants(r, right));
}

/// <summary>What an endpoint needs. Each is an authorization policy of the same name.</summary>
public enum Right
{
    /// <summary>Read tasks, dead letters, queues and (for callers without a queue limit) artifacts.</summary>
    Read,
    /// <summary>Submit tasks.</summary>
    Submit,
    /// <summary>Cancel, retry and delete tasks; retry and purge dead letters; pause, resume and limit queues.</summary>
    Manage,
    /// <summary>List plugins and their args schemas.</summary>
    Plugins,
    /// <summary>Lease and complete tasks as an external worker.</summary>
    Work,
    /// <summary>Create, list and revoke API keys.</summary>
    Keys,
}

/// <summary>Policy names of the rights.</summary>
public static class Policies
{
    /// <summary>The policy name of a right, e.g. <c>nexus:read</c>.</summary>
    public static string Of(Right right) => "nexus:" + right.ToString().ToLowerInvariant();
}
