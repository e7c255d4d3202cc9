using System.Reflection;
using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Storage;

namespace Nexus.Server.Api;

/// <summary><c>/healthz</c>, <c>/readyz</c>, and <c>/api/v1/whoami</c> and <c>/api/v1/server</c>.</summary>
internal static class SystemEndpoints
{
    public static string Version { get; } =
        typeof(SystemEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Ok(new AliveResponse("alive")))
            .AllowAnonymous().DisableRateLimiting().WithTags("Health").WithSummary("Liveness: the process answers").Produces<AliveResponse>();
        app.MapGet("/readyz", ReadyAsync)
            .AllowAnonymous().DisableRateLimiting().WithTags("Health").WithSummary("Readiness: the store answers and its schema is current")
            .Produces<ReadyResponse>().Produces<ReadyResponse>(StatusCodes.Status503ServiceUnavailable);
    }

    public static void MapSystemEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/whoami", (HttpContext http) =>
        {
            var caller = Caller.From(http.User);
            return Results.Ok(new WhoAmIResponse(caller.Name, caller.Method, caller.Roles, caller.Queues?.Order(StringComparer.Ordinal).ToList())
            {
                Namespaces = caller.Namespaces?.Order(StringComparer.Ordinal).ToList(),
            });
        }).WithTags("Server").WithSummary("Who the server takes the caller for").Produces<WhoAmIResponse>().ProducesCommonProblems();
        api.MapGet("/server", (INexusStore store, IOptions<NexusOptions> engine, IOptions<NexusAuthOptions> auth) =>
            Results.Ok(new ServerInfoResponse(Version, store.Driver, engine.Value.NodeId, engine.Value.RunWorkers,
                new ServerAuthResponse(true, auth.Value.Jwt.Enabled, auth.Value.AnonymousLoopback))))
            .WithTags("Server").WithSummary("What this server is").Produces<ServerInfoResponse>().ProducesCommonProblems();
    }

    private static async Task<IResult> ReadyAsync(HttpContext http, INexusStore store, ILoggerFactory loggers)
    {
        var health = await store.CheckHealthAsync(http.RequestAborted);
        if (!health.Ready) loggers.CreateLogger("Nexus.Server").LogWarning("Not ready: {Error}", health.Error);
        // The reason can name hosts and databases: only callers with credentials see it.
        var error = http.User.Identity?.IsAuthenticated == true ? health.Error : null;
        var response = new ReadyResponse(health.Ready ? "ready" : "not-ready", store.Driver, health.SchemaVersion, health.ExpectedVersion, error);
        return Results.Json(response, statusCode: health.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
