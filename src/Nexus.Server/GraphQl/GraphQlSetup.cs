using GraphQL;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Nexus.Server.GraphQl;

/// <summary>Registers and maps <c>/graphql</c> (GraphQL.NET): HTTP, the graphql-transport-ws WebSocket and the
/// playground. The route goes through the same authentication and authorization as the REST API (a caller is
/// required; each field then checks its right and limits).</summary>
internal static class GraphQlSetup
{
    public const string Path = "/graphql";

    public static IServiceCollection AddNexusGraphQl(this IServiceCollection services, IConfiguration config)
    {
        var options = config.GetSection(GraphQlOptions.Section).Get<GraphQlOptions>() ?? new GraphQlOptions();
        options.Validate();
        services.AddSingleton(Options.Create(options));
        services.TryAddSingleton<JsonGraphType>();
        services.TryAddTransient(typeof(ContractGraphType<>));
        services.AddSingleton<GraphQlExecutor>();
        services.AddSingleton<GraphQlWebSocket>();
        services.AddGraphQL(b => b
            .AddSchema<NexusSchema>()
            .AddSystemTextJson()
            .AddGraphTypeMappingProvider(new ContractMappingProvider())
            .AddErrorInfoProvider(e =>
            {
                e.ExposeCodes = false;
                e.ExposeExceptionDetails = false;
            })
            .AddComplexityAnalyzer(c =>
            {
                c.MaxDepth = options.MaxDepth;
                c.MaxComplexity = options.MaxComplexity;
                // Introspection reads the schema, not the store: it does not count (GraphiQL's full query would not fit).
                var fallback = c.DefaultComplexityImpactDelegate;
                c.DefaultComplexityImpactDelegate = f => f.FieldDefinition.Name.StartsWith("__", StringComparison.Ordinal) || f.ParentType.Name.StartsWith("__", StringComparison.Ordinal)
                    ? new GraphQL.Validation.Complexity.FieldComplexityResult(0, 1)
                    : fallback(f);
            }));
        return services;
    }

    public static void MapNexusGraphQl(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(Path, [HttpMethods.Get, HttpMethods.Post], GraphQlHttpEndpoint.HandleAsync)
            .RequireAuthorization()
            .ExcludeFromDescription();
        GraphQlPlayground.Map(endpoints);
    }
}
