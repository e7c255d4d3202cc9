using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Dashboard.Access;
using Nexus.Dashboard.Data;

namespace Nexus.Dashboard.Hosting;

/// <summary>How a host adds the dashboard: <see cref="AddNexusDashboard"/> with its services (the host registers its
/// own <see cref="IDashboardAccess"/>), <see cref="UseNexusDashboard"/> after authorization, then
/// <see cref="MapNexusDashboard"/>.</summary>
public static class DashboardHostingExtensions
{
    /// <summary>Registers the Razor components (static server rendering only), anti-forgery and the throughput sampler.</summary>
    public static IServiceCollection AddNexusDashboard(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "nexus_antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
        services.AddSingleton<ThroughputSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<ThroughputSampler>());
        return services;
    }

    /// <summary>Adds the security headers of dashboard responses and anti-forgery validation of every form post. Call it
    /// after <c>UseAuthentication</c> and <c>UseAuthorization</c>.</summary>
    public static IApplicationBuilder UseNexusDashboard(this IApplicationBuilder app)
    {
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<DashboardEndpoint>() is not null)
            {
                context.Response.OnStarting(() =>
                {
                    if (!context.Response.Headers.ContainsKey("Content-Security-Policy")) SecurityHeaders.Apply(context.Response, isAsset: false);
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });
        app.UseAntiforgery();
        return app;
    }

    /// <summary>Maps the dashboard's pages at <c>/</c> (each requires the host's <see cref="IDashboardAccess.Policy"/>
    /// unless it allows anonymous callers, as the login page does) and its embedded assets under <c>/_dashboard/</c>.</summary>
    public static IEndpointRouteBuilder MapNexusDashboard(this IEndpointRouteBuilder endpoints)
    {
        var access = endpoints.ServiceProvider.GetRequiredService<IDashboardAccess>();
        endpoints.MapGet(DashboardAssets.Prefix + "{file}", DashboardAssets.Serve)
            .AllowAnonymous().WithMetadata(DashboardEndpoint.Instance).ExcludeFromDescription();
        endpoints.MapRazorComponents<App>()
            .RequireAuthorization(access.Policy)
            .WithMetadata(DashboardEndpoint.Instance)
            .ExcludeFromDescription();
        return endpoints;
    }
}
