using Nexus.Plugins;
using Nexus.Server.Api.Contracts;
using Nexus.Server.Auth;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/plugins</c>: the registered plugins and their args schemas.</summary>
internal static class PluginEndpoints
{
    public static void MapPluginEndpoints(this RouteGroupBuilder api)
    {
        var plugins = api.MapGroup("/plugins").WithTags("Plugins");
        plugins.MapGet("", (PluginRegistry registry) => Results.Ok(registry.All.Select(Response).ToList())).Require(Right.Plugins)
            .WithSummary("List plugins with their args schemas").Produces<IReadOnlyList<PluginResponse>>().ProducesCommonProblems();
        plugins.MapGet("/{name}", (PluginRegistry registry, string name) => registry.TryGet(name, out var plugin)
                ? Results.Ok(Response(plugin))
                : throw ApiProblemException.NotFound($"No plugin named '{QueryValues.Shorten(name)}'. Registered plugins: {string.Join(", ", registry.All.Select(p => p.Name))}."))
            .Require(Right.Plugins).WithSummary("Get one plugin").Produces<PluginResponse>().ProducesCommonProblems(404);
    }

    private static PluginResponse Response(PluginDescriptor p) => new(
        p.Name, p.Description, p.Version, p.Queue, p.MaxAttempts,
        p.Timeout is { } t ? (long)t.TotalMilliseconds : null,
        (System.Text.Json.Nodes.JsonObject)p.ArgsSchema.DeepClone());
}
