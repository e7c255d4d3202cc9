using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Nexus.Dashboard.Access;
using Nexus.Dashboard.Hosting;
using Nexus.Hosting;
using Nexus.Plugins.Samples;
using Nexus.Server.Api;
using Nexus.Server.Auth;
using Nexus.Server.GraphQl;
using Nexus.Server.Hosting;
using Nexus.Server.Observability;
using Nexus.Server.RateLimiting;
using Nexus.Server.Workers;

namespace Nexus.Server;

/// <summary>
/// The composition root of the Nexus server: the engine on the configured store with the sample plugins, and the HTTP
/// API under <c>/api/v1</c> with auth, rate limits, body caps, problem+json errors, <c>/healthz</c>, <c>/readyz</c>,
/// <c>/openapi/v1.json</c> and the reference page <c>/docs</c>. <c>Program</c> runs it; tests start it on a free
/// loopback port.
/// </summary>
public static class NexusServer
{
    /// <summary>Builds the server from command-line <paramref name="args"/> and configuration (see README, "Configuration").</summary>
    /// <param name="args">Command-line arguments, e.g. <c>--dev</c>, <c>--store postgres</c>, <c>--Nexus:Concurrency=8</c>.</param>
    /// <param name="configure">Last changes before the settings are read (tests add in-memory settings here).</param>
    /// <exception cref="InvalidOperationException">A setting is missing or wrong; the message names it.</exception>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null) => Build(args, configure, new ServerHooks());

    /// <summary>As <see cref="Build(string[], Action{WebApplicationBuilder}?)"/>, with test plugins and a trace exporter.</summary>
    internal static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure, ServerHooks hooks)
    {
        args = ServerConfiguration.ExpandShortcuts(args);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        ServerConfiguration.AddSources(builder.Configuration, args);
        configure?.Invoke(builder);
        var config = builder.Configuration;

        var server = config.GetSection(NexusServerOptions.Section).Get<NexusServerOptions>() ?? new NexusServerOptions();
        server.Validate();
        var rate = config.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        rate.Validate();
        var auth = config.GetSection(NexusAuthOptions.Section).Get<NexusAuthOptions>() ?? new NexusAuthOptions();
        auth.Validate();
        var role = NodeRoles.Read(config);
        var urls = ServerConfiguration.Urls(config);
        // Kestrel's own endpoints win over the URLs; both are checked here, and what is bound is checked after start.
        var exposed = urls.Concat(ServerConfiguration.KestrelEndpointUrls(config)).Where(u => !Loopback.IsLoopbackUrl(u)).ToList();
        if (auth.AnonymousLoopback && exposed.Count > 0) throw LoopbackGuard.Refusal(exposed);

        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = server.MaxRequestBodyBytes;
            // Above the limits the API answers itself as problem+json (RequestSizeLimits): Kestrel's answers have no body.
            k.Limits.MaxRequestLineSize = Api.RequestSizeLimits.KestrelRequestLine;
            k.Limits.MaxRequestHeadersTotalSize = Api.RequestSizeLimits.KestrelHeaders;
            k.AddServerHeader = false;
        });
        if (config.GetValue<bool>("Nexus:Logging:Json"))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        var services = builder.Services;
        services.AddSingleton(Options.Create(server));
        services.AddSingleton(Options.Create(auth));
        services.AddOptions<NexusOptions>().Bind(config.GetSection("Nexus"));
        services.AddConfiguredArtifactStore(config);
        services.AddNexus(n => n
            .UseConfiguredStore(config)
            .AddSamplePlugins(o =>
            {
                config.GetSection("Nexus:Samples").Bind(o);
                var root = config["Nexus:ArtifactsRoot"];
                if (!string.IsNullOrWhiteSpace(root)) o.ArtifactsRoot = root;
            })
            .Apply(hooks.Nexus));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            var problem = c.ProblemDetails;
            if (!problem.Extensions.ContainsKey("code"))
            {
                var code = problem.Status switch
                {
                    404 => "not-found",
                    405 => "method-not-allowed",
                    415 => "unsupported-media-type",
                    _ => "http-" + problem.Status,
                };
                if (problem.Status == 415) problem.Detail ??= "Send the body as JSON with Content-Type: application/json.";
                problem.Extensions["code"] = code;
                problem.Type = Problems.TypePrefix + code;
            }
            problem.Extensions.TryAdd("traceId", System.Diagnostics.Activity.Current?.Id ?? c.HttpContext.TraceIdentifier);
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddNexusAuth(auth);
        services.AddSingleton<LoopbackGuard>();
        if (auth.AnonymousLoopback) services.AddHostedService(sp => sp.GetRequiredService<LoopbackGuard>());
        services.AddNexusRateLimits(rate);
        services.AddNexusOpenApi();
        builder.AddNexusObservability(hooks.Tracing);
        if (role == NodeRole.Server)
        {
            // They serve the external workers' long polls and presence, which a worker-only node does not serve.
            services.AddSingleton<Workers.TaskArrivals>();
            services.AddHostedService(sp => sp.GetRequiredService<Workers.TaskArrivals>());
            services.AddSingleton<Workers.WorkerPresence>();
            services.AddNexusDashboard();
            services.AddSingleton<IDashboardAccess, Dashboard.ServerDashboardAccess>();
            services.AddSingleton<IDashboardKeys, Dashboard.ServerDashboardKeys>();
            services.AddSingleton<IDashboardArtifacts, Dashboard.ServerDashboardArtifacts>();
            services.AddHostedService<Workflows.DemoWorkflows>();
        }
        // Service invokes (YARP) are part of the API, which a worker-only node does not serve; registering them is harmless there.
        services.AddHttpForwarder();
        services.AddSingleton<Api.ServiceInvoker>();
        if (role == NodeRole.Server) services.AddNexusGraphQl(config);
        services.AddOptions<Live.LiveServerOptions>().Bind(config.GetSection(Live.LiveServerOptions.Section));
        services.AddSingleton<Live.LiveTokens>();
        services.AddSingleton<Live.LiveConnections>();

        var app = builder.Build();
        app.UseRequestSizeLimits();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        Live.WebSocketBatching.UseLiveWebSocketBatching(app);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Live.LiveServerOptions>>().Value.KeepAlive });
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        if (role == NodeRole.Server) app.UseNexusDashboard();

        app.MapHealthEndpoints();
        app.MapMetricsEndpoint();
        // A worker-only node serves health and metrics alone: no API, no OpenAPI document, no reference page.
        if (role == NodeRole.Server)
        {
            var api = app.MapGroup("/api/v1");
            api.MapTaskEndpoints();
            api.MapDeadLetterEndpoints();
            api.MapQueueEndpoints();
            api.MapPluginEndpoints();
            api.MapArtifactEndpoints();
            api.MapStateEndpoints();
            api.MapDocumentEndpoints();
            api.MapWorkflowEndpoints();
            api.MapRunArtifactEndpoints();
            api.MapKeyEndpoints();
            api.MapSystemEndpoints();
            api.MapNodeEndpoints();
            api.MapScheduleEndpoints();
            api.MapServiceEndpoints();
            api.MapWorkerEndpoints();
            api.MapNamespaceEndpoints();
            api.MapEventEndpoints();
            api.MapSubscriptionEndpoints();
            api.MapConsumerEndpoints();
            app.MapNexusGraphQl();
            Live.LiveEndpoints.MapLiveEndpoints(app, api);
            app.MapNexusOpenApi(server.PublicApiReference);
            app.MapNexusDashboard();
            if (auth.Oidc.Enabled)
            {
                app.MapGet(Dashboard.OidcSignIn.ChallengePath, (HttpContext context, string? returnUrl) => Dashboard.OidcSignIn.ChallengeAsync(context, returnUrl, auth.Oidc))
                    .AllowAnonymous().WithMetadata(DashboardEndpoint.Instance).ExcludeFromDescription();
            }
            // The dashboard's artifact downloads: the API's own download (and its rule), under the dashboard's cookie.
            app.MapMethods(Dashboard.ServerDashboardArtifacts.Prefix + "{**path}", [HttpMethods.Get, HttpMethods.Head], ArtifactEndpoints.Download)
                .RequireAuthorization(Dashboard.ServerDashboardAccess.PolicyName).ExcludeFromDescription();
        }

        app.Lifetime.ApplicationStarted.Register(() => LogStarted(app, auth, role));
        return app;
    }

    private static void LogStarted(WebApplication app, NexusAuthOptions auth, NodeRole role)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Nexus.Server");
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var store = app.Services.GetRequiredService<Storage.INexusStore>();
        if (role == NodeRole.Worker)
        {
            logger.LogInformation("Nexus worker node {Version} listening on {Urls} ({Store} store): health and metrics only.",
                SystemEndpoints.Version, string.Join(", ", addresses), store.Driver);
        }
        else
        {
            logger.LogInformation("Nexus server {Version} listening on {Urls} ({Store} store). API reference: {Docs}/docs",
                SystemEndpoints.Version, string.Join(", ", addresses), store.Driver, addresses.FirstOrDefault() ?? "");
        }
        var methods = new List<string> { "API keys" };
        if (auth.BootstrapKey is not null) methods.Add("the bootstrap key");
        if (auth.Jwt.Enabled) methods.Add($"JWTs from {auth.Jwt.Issuer}");
        if (auth.Oidc.Enabled) methods.Add($"dashboard sign-in with {auth.Oidc.ProviderName} ({auth.Oidc.Authority})");
        logger.LogInformation("Requests need credentials: {Methods}.", string.Join(", ", methods));
        if (auth.AnonymousLoopback)
        {
            logger.LogWarning(
                "DEVELOPMENT MODE: anonymous requests from this machine are served as admin (Nexus:Auth:AnonymousLoopback). " +
                "Any local user or program can submit, cancel and delete tasks and create API keys. Requests from elsewhere, " +
                "through a proxy, or from a browser page of another origin still need credentials. Do not use this on a shared machine.");
        }
    }
}
