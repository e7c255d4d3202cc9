using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.DataProtection;

namespace Nexus.Server.Auth;

/// <summary>Registers authentication (API keys, JWT bearer, development loopback, the dashboard's cookie and OIDC sign-in) and one policy per right. Every
/// endpoint needs an authenticated caller unless it says otherwise (deny by default).</summary>
internal static class AuthSetup
{
    public static IServiceCollection AddNexusAuth(this IServiceCollection services, NexusAuthOptions options)
    {
        services.AddSingleton<ApiKeyValidator>();
        var auth = services.AddAuthentication(Caller.Scheme)
            .AddScheme<AuthenticationSchemeOptions, NexusAuthenticationHandler>(Caller.Scheme, _ => { });
        // The dashboard's session cookie: its own scheme, used only by the dashboard's endpoints (never by the API).
        auth.AddScheme<AuthenticationSchemeOptions, Dashboard.DashboardAuthenticationHandler>(Dashboard.DashboardAuthenticationHandler.Name, _ => { });
        services.AddSingleton<Dashboard.DashboardSession>();
        // The key ring behind the session cookie and the anti-forgery tokens lives in the store, under one application
        // name: every node reads what another wrote, and restarts (or fresh containers) keep sessions.
        services.AddDataProtection().SetApplicationName("Nexus");
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<Nexus.Storage.INexusStore>((o, store) => o.XmlRepository = new Dashboard.StoreXmlRepository(store));
        if (options.Jwt.Enabled) auth.AddJwtBearer(JwtBearerSetup.Scheme, o => JwtBearerSetup.Configure(o, options.Jwt));
        // The dashboard's sign-in at an identity provider: only its callback (/signin-oidc) and challenge use it.
        if (options.Oidc.Enabled) auth.AddOpenIdConnect(Dashboard.OidcSignIn.Scheme, o => Dashboard.OidcSignIn.Configure(o, options.Oidc));

        services.AddSingleton<IAuthorizationHandler, RightHandler>();
        services.AddSingleton<IAuthorizationHandler, UnlimitedHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(Caller.Scheme).RequireAuthenticatedUser().Build())
            .AddRightPolicies();
        return services;
    }

    private static AuthorizationBuilder AddRightPolicies(this AuthorizationBuilder builder)
    {
        foreach (var right in Enum.GetValues<Right>())
        {
            builder.AddPolicy(Policies.Of(right), p => p.AddAuthenticationSchemes(Caller.Scheme).RequireAuthenticatedUser().AddRequirements(new RightRequirement(right)));
        }
        builder.AddPolicy(Dashboard.ServerDashboardAccess.PolicyName, p => p.AddAuthenticationSchemes(Dashboard.DashboardAuthenticationHandler.Name)
            .RequireAuthenticatedUser().AddRequirements(new RightRequirement(Right.Read)));
        builder.AddPolicy(UnlimitedRequirement.Policy, p => p.AddAuthenticationSchemes(Caller.Scheme).RequireAuthenticatedUser()
            .AddRequirements(new RightRequirement(Right.Read), new UnlimitedRequirement()));
        return builder;
    }

    /// <summary>Requires <see cref="Right.Read"/> and a caller not limited to queues on an endpoint.</summary>
    public static TBuilder RequireAllQueues<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(UnlimitedRequirement.Policy);

    /// <summary>Requires <paramref name="right"/> on an endpoint.</summary>
    public static TBuilder Require<TBuilder>(this TBuilder builder, Right right) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policies.Of(right));
}
