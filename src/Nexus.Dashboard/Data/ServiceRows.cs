using Nexus.Dashboard.Access;
using Nexus.Services;

namespace Nexus.Dashboard.Data;

/// <summary>The service registry as the Nodes and services page shows it. Services belong to no queue, so, as the API's
/// <c>/api/v1/services</c> (which requires a caller not limited to queues), a caller with any queue or namespace limit
/// sees none of them and may not deregister one.</summary>
public static class ServiceRows
{
    /// <summary>One service and its instances, ordered by id.</summary>
    /// <param name="Name">The service's name.</param>
    /// <param name="Instances">Its instances.</param>
    public sealed record Service(string Name, IReadOnlyList<Instance> Instances);

    /// <summary>An instance with this node's in-flight invokes to it (what least-loaded routing weighs).</summary>
    /// <param name="Info">The instance as the registry stores it.</param>
    /// <param name="InFlight">Invokes in flight to it from this node.</param>
    public sealed record Instance(ServiceInstance Info, int InFlight);

    /// <summary>True when <paramref name="caller"/> may see the registry: the REST list's rule.</summary>
    public static bool MaySee(IDashboardUser caller) => caller.Queues is null;

    /// <summary>Why a limited caller sees no services; null when it may see them.</summary>
    public static string? WhyHidden(IDashboardUser caller) => MaySee(caller) ? null :
        "Services belong to no queue, so a caller limited to queues or namespaces sees none of them (as with GET /api/v1/services).";

    /// <summary>The services and instances <paramref name="caller"/> may see, by name.</summary>
    public static async Task<IReadOnlyList<Service>> LoadAsync(INexusServices registry, IDashboardUser caller, CancellationToken cancellationToken)
    {
        if (!MaySee(caller)) return [];
        var all = await registry.ListAsync(cancellationToken: cancellationToken);
        return [.. all.GroupBy(i => i.Name, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Service(g.Key, [.. g.OrderBy(i => i.Id, StringComparer.Ordinal).Select(i => new Instance(i, registry.InFlight(i)))]))];
    }

    /// <summary>Splits a posted <c>service/instance</c> pair; false when it is not one.</summary>
    public static bool TryParse(string? posted, out string name, out string id)
    {
        (name, id) = ("", "");
        var slash = posted?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0 || slash == posted!.Length - 1) return false;
        (name, id) = (posted[..slash], posted[(slash + 1)..]);
        return true;
    }

    /// <summary>The value a deregister button posts for <paramref name="instance"/>.</summary>
    public static string Key(ServiceInstance instance) => instance.Name + "/" + instance.Id;
}
