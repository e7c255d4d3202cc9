namespace Nexus.Server.Hosting;

/// <summary>What a server process serves, chosen by <c>Nexus:Role</c> (<c>NEXUS_ROLE</c>): one binary for every node of
/// a cluster.</summary>
public enum NodeRole
{
    /// <summary>The full server (default): the HTTP API under <c>/api/v1</c>, the OpenAPI document and <c>/docs</c>,
    /// health, metrics, and workers unless <c>Nexus:RunWorkers</c> is false.</summary>
    Server,

    /// <summary>A worker-only node: it runs tasks from the shared store and serves nothing but <c>/healthz</c>,
    /// <c>/readyz</c> and <c>/metrics</c> (every other path answers 404).</summary>
    Worker,
}

/// <summary>Reads <see cref="NodeRole"/> from configuration.</summary>
internal static class NodeRoles
{
    /// <summary>The setting: <c>Nexus:Role</c>, <c>server</c> or <c>worker</c>.</summary>
    public const string Key = "Nexus:Role";

    /// <summary>The configured role (default <see cref="NodeRole.Server"/>); a worker role with
    /// <c>Nexus:RunWorkers=false</c> would run nothing and is refused.</summary>
    /// <exception cref="InvalidOperationException">The value is neither <c>server</c> nor <c>worker</c>, or it is
    /// <c>worker</c> with workers turned off.</exception>
    public static NodeRole Read(IConfiguration configuration)
    {
        var value = configuration[Key]?.Trim();
        var role = value switch
        {
            null or "" => NodeRole.Server,
            _ when value.Equals("server", StringComparison.OrdinalIgnoreCase) => NodeRole.Server,
            _ when value.Equals("worker", StringComparison.OrdinalIgnoreCase) => NodeRole.Worker,
            _ => throw new InvalidOperationException($"{Key} must be 'server' or 'worker' (was '{value}')."),
        };
        if (role == NodeRole.Worker && configuration.GetValue("Nexus:RunWorkers", true) == false)
        {
            throw new InvalidOperationException($"{Key} is worker but Nexus:RunWorkers is false: a worker-only node with no workers would do nothing.");
        }
        return role;
    }

    /// <summary>The name as configured and logged (<c>server</c>, <c>worker</c>).</summary>
    public static string Name(this NodeRole role) => role == NodeRole.Worker ? "worker" : "server";
}
