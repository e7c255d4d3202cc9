using Nexus.Plugins;
using Nexus.Server.Api.Contracts;
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
                Results.Ok((await AllAsync(registry, store, http.RequestAborted)).ToList()))
            .Require(Right.Plugins).WithSummary("List plugins (local and external) with their args schemas").Produces<IReadOnlyList<PluginResponse>>().ProducesCommonProblems();
        plugins.MapGet("/{name}", async (PluginRegistry registry, INexusStore store, HttpContext http, string name) =>
            {
                var all = await AllAsync(registry, store, http.RequestAborted);
                return all.FirstOrDefault(p => p.Name == name) is { } plugin
                    ? Results.Ok(plugin)
                    : throw ApiProblemException.NotFound($"No plugin named '{QueryValues.Shorten(name)}'. Registered plugins: {string.Join(", ", all.Select(p => p.Name))}.");
            })
            .Require(Right.Plugins).WithSummary("Get one plugin").Produces<PluginResponse>().ProducesCommonProblems(404);
    }

    /// <summary>Local plugins, then the declared external ones whose names no local plugin takes, ordered by name.</summary>
    private static async Task<IEnumerable<PluginResponse>> AllAsync(PluginRegistry registry, INexusStore store, CancellationToken cancellationToken)
    {
        var local = registry.All.Select(Response).ToList();
        var external = store.ExternalPlugins is { } declared ? await declared.ListAsync(cancellationToken) : [];
        return local.Concat(external.Where(e => !registry.TryGet(e.Name, out _)).Select(Response)).OrderBy(p => p.Name, StringComparer.Ordinal);
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
