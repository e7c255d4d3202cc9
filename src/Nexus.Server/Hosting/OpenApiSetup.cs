using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Nexus.Server.Hosting;

/// <summary>The OpenAPI document (<c>/openapi/v1.json</c>) and the interactive reference (<c>/docs</c>, Scalar, served from
/// the server itself: no CDN, no web fonts, no telemetry).</summary>
internal static class OpenApiSetup
{
    public static IServiceCollection AddNexusOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Nexus API",
                Version = "v1",
                Description = "Durable tasks over HTTP. Authenticate with an API key (Authorization: Bearer nx_… or X-Api-Key) " +
                    "or a JWT. Errors are RFC 9457 problem+json with a stable `code` and, when a field is at fault, `field`.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key (nx_…) or a JWT.",
            };
            document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Api-Key",
                Description = "An API key (nx_…).",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] });
            return Task.CompletedTask;
        }));

    public static void MapNexusOpenApi(this WebApplication app, bool anonymous)
    {
        var document = app.MapOpenApi();
        var reference = app.MapScalarApiReference("/docs", o => o
            .WithTitle("Nexus API")
            .DisableDefaultFonts()
            .DisableTelemetry()
            .AddPreferredSecuritySchemes("bearer"));
        if (anonymous)
        {
            document.AllowAnonymous();
            reference.AllowAnonymous();
        }
    }
}
