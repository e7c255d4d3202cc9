using Nexus.Plugins;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Storage;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/plugins</c>: the registered plugins and those declared by external workers, with their args schemas.</summary>
internal static class PluginEndpoints
{
    public static void MapPluginEndpoints(this RouteGroupBuilder api)
    {
        var plugins = api.MapGroup("/plugins").WithTags("Plugins");
        plugins.MapGet("", async (PluginRegistry registry, INexusStore store, HttpContext http) =>
                Results.Ok((await AllAsync(registry, store, Caller.From(http.User), http.RequestAborted)).ToList()))
            .Require(Right.Plugins).WithSummary("List plugins (local and external) with their args schemas").Produces<IReadOnlyList<PluginResponse>>().ProducesCommonProblems();
        plugins.MapGet("/{name}", async (PluginRegistry registry, INexusStore store, HttpContext http, string name) =>
            {
                var all = (await AllAsync(registry, store, Caller.From(http.User), http.RequestAborted)).ToList();
                return all.FirstOrDefault(p => p.Name == name) is { } plugin
                    ? Results.Ok(plugin)
                    : throw ApiProblemException.NotFound($"No plugin named '{QueryValues.Shorten(name)}'. Registered plugins: {string.Join(", ", all.Select(p => p.Name))}.");
            })
            .Require(Right.Plugins).WithSummary("Get one plugin").Produces<PluginResponse>().ProducesCommonProblems(404);
    }

    /// <summary>Local plugins, then the declared external ones whose names no local plugin takes, ordered by name.
    /// Local plugins are the server's own and take tasks in any queue; an external one belongs to the tenant of its
    /// queue, so a caller limited to other queues does not see it.</summary>
    private static async Task<IEnumerable<PluginResponse>> AllAsync(PluginRegistry registry, INexusStore store, Caller caller, CancellationToken cancellationToken)
    {
        var local = registry.All.Select(Response).ToList();
        var external = await store.ExternalPlugins.ListAsync(cancellationToken);
        return local.Concat(external.Where(e => !registry.TryGet(e.Name, out _) && caller.CanUse(e.Queue)).Select(Response)).OrderBy(p => p.Name, StringComparer.Ordinal);
    }

    private static PluginResponse Response(PluginDescriptor p) => new(
        p.Name, p.Description, p.Version, p.Queue, p.MaxAttempts,
        p.Timeout is { } t ? (long)t.TotalMilliseconds : null,
        (System.Text.Json.Nodes.JsonObject)p.ArgsSchema.DeepClone());

    private static PluginResponse Response(ExternalPlugin p) => new(
        p.Name, p.Description, p.Version, p.Queue, p.MaxAttempts,
        p.Timeout is { } t ? (long)t.TotalMilliseconds : null,
        System.Text.Json.Nodes.JsonNode.Parse(p.ArgsSchemaJson) as System.Text.Json.Nodes.JsonObject ?? [], External: true);
}
