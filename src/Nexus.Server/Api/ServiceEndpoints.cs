using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Services;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/services</c>: the service registry (register, heartbeat, deregister, list and filter by capability
/// and health) and <c>invoke</c>, which forwards a request to a healthy, least-loaded instance. Services belong to no
/// queue, so only callers not limited to queues reach them (the same rule as artifacts and metrics).</summary>
internal static class ServiceEndpoints
{
    public static void MapServiceEndpoints(this RouteGroupBuilder api)
    {
        var services = api.MapGroup("/services").WithTags("Services");
        services.MapGet("", ListAsync).Require(Right.Read).RequireAllQueues()
            .WithSummary("List service instances (service, capability — repeatable, all must match — and health filters)").Produces<ServiceListResponse>().ProducesCommonProblems(400);
        services.MapGet("/{name}", ListOneAsync).Require(Right.Read).RequireAllQueues()
            .WithSummary("List one service's instances").Produces<ServiceListResponse>().ProducesCommonProblems(400);
        services.MapPut("/{name}/instances/{id}", RegisterAsync).Require(Right.Manage).RequireAllQueues()
            .WithSummary("Register (or re-register) an instance").Accepts<ServiceRegistrationRequest>("application/json")
            .Produces<ServiceInstanceResponse>().ProducesCommonProblems(400, 413, 415);
        services.MapPost("/{name}/instances/{id}/heartbeat", HeartbeatAsync).Require(Right.Manage).RequireAllQueues()
            .WithSummary("A TTL heartbeat: counts as a passed check").Produces<ServiceInstanceResponse>().ProducesCommonProblems(400, 404);
        services.MapDelete("/{name}/instances/{id}", DeregisterAsync).Require(Right.Manage).RequireAllQueues()
            .WithSummary("Deregister an instance").Produces(204).ProducesCommonProblems(400, 404);
        foreach (var method in new[] { "GET", "POST", "PUT", "DELETE" })
        {
            services.MapMethods("/{name}/invoke/{**path}", [method], InvokeAsync).Require(Right.Submit).RequireAllQueues()
                .WithSummary($"Forward a {method} to a healthy, least-loaded instance (timeout: the {ServiceInvoker.TimeoutHeader} header, default 30s)")
                .ProducesCommonProblems(400, 403, 502, 503, 504);
        }
    }

    private static async Task<IResult> ListAsync(HttpContext http, INexusServices registry, string? service = null, string? health = null) =>
        Results.Ok(await ListCoreAsync(http, registry, service, health));

    private static async Task<IResult> ListOneAsync(HttpContext http, INexusServices registry, string name, string? health = null) =>
        Results.Ok(await ListCoreAsync(http, registry, name, health));

    private static async Task<ServiceListResponse> ListCoreAsync(HttpContext http, INexusServices registry, string? service, string? health)
    {
        var capabilities = http.Request.Query["capability"].Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).ToList();
        var filter = health is null ? (ServiceHealth?)null : ServiceNames.ParseHealth(health) ?? throw ApiProblemException.Invalid("health", "must be starting, healthy or critical");
        var list = await registry.ListAsync(service, capabilities, filter, http.RequestAborted);
        return new ServiceListResponse([.. list.Select(i => Response(i, registry))]);
    }

    private static async Task<IResult> RegisterAsync(HttpContext http, INexusServices registry, string name, string id)
    {
        var body = await RequestJson.ReadAsync<ServiceRegistrationRequest>(http.Request) ?? throw ApiProblemException.Invalid("body", "is required");
        if (body.BaseUrl is null || !Uri.TryCreate(body.BaseUrl, UriKind.Absolute, out var url)) throw ApiProblemException.Invalid("baseUrl", "is required: an absolute http or https URL");
        var defaults = new ServiceRegistration { Name = name, Id = id, BaseUrl = url };
        var mode = body.Check is null ? (ServiceCheckMode?)null : ServiceNames.ParseMode(body.Check) ?? throw ApiProblemException.Invalid("check", "must be ttl or http");
        var instance = await registry.RegisterAsync(defaults with
        {
            Version = body.Version ?? "",
            Capabilities = body.Capabilities ?? [],
            Metadata = body.Metadata ?? new Dictionary<string, string>(),
            HealthCheckPath = body.HealthCheckPath,
            CheckMode = mode,
            Ttl = Duration(body.Ttl, "ttl") ?? defaults.Ttl,
            CheckInterval = Duration(body.CheckInterval, "checkInterval") ?? defaults.CheckInterval,
            PassesToHealthy = body.PassesToHealthy ?? defaults.PassesToHealthy,
            FailuresToCritical = body.FailuresToCritical ?? defaults.FailuresToCritical,
            DeregisterAfter = Duration(body.DeregisterAfter, "deregisterAfter") ?? defaults.DeregisterAfter,
        }, http.RequestAborted);
        return Results.Ok(Response(instance, registry));
    }

    private static async Task<IResult> HeartbeatAsync(HttpContext http, INexusServices registry, string name, string id)
    {
        var instance = await registry.HeartbeatAsync(name, id, http.RequestAborted) ?? throw NotFound(name, id);
        return Results.Ok(Response(instance, registry));
    }

    private static async Task<IResult> DeregisterAsync(HttpContext http, INexusServices registry, string name, string id) =>
        await registry.DeregisterAsync(name, id, http.RequestAborted) ? Results.NoContent() : throw NotFound(name, id);

    private static async Task InvokeAsync(HttpContext http, INexusServices registry, ServiceInvoker invoker, string name, string? path = null)
    {
        var timeout = ServiceInvoker.Timeout(http.Request);
        var capabilities = http.Request.Query["nexus-capability"].Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).ToList();
        var instance = await registry.ChooseAsync(name, capabilities, http.RequestAborted)
            ?? throw new ApiProblemException(503, "no-healthy-instance", "No healthy instance", $"name: service '{QueryValues.Shorten(name)}' has no healthy instance{(capabilities.Count > 0 ? " with those capabilities" : "")}.", "name");
        var invocation = new ServiceInvocation(name, instance, http.Request.Method, "/" + (path ?? ""), Caller.From(http.User).Name);
        try
        {
            await invoker.InvokeAsync(http, invocation, timeout, registry.StartInvoke(instance));
        }
        catch (ServiceInvokeRefusedException ex)
        {
            throw new ApiProblemException(403, "invoke-refused", "Invoke refused", ex.Message);
        }
    }

    private static TimeSpan? Duration(string? text, string field) =>
        text is null ? null : Durations.TryParse(text, out var d) ? d : throw ApiProblemException.Invalid(field, "must be a duration such as 500ms, 30s or 10m");

    private static ApiProblemException NotFound(string name, string id) =>
        ApiProblemException.NotFound($"No instance '{QueryValues.Shorten(id)}' of service '{QueryValues.Shorten(name)}'.");

    internal static ServiceInstanceResponse Response(ServiceInstance i, INexusServices registry) => new(
        i.Name, i.Id, i.Version, i.BaseUrl, i.Capabilities, i.Metadata, i.CheckMode.Name(), i.HealthCheckPath, i.Health.Name(), i.Passes, i.Failures,
        i.CriticalSince, i.LastCheckAt, i.LastSeenAt, i.LastError, registry.InFlight(i), i.RegisteredAt);
}
