namespace Nexus.Server.Api;

/// <summary>OpenAPI metadata shared by the endpoints.</summary>
internal static class EndpointMetadata
{
    /// <summary>Declares problem+json answers for the given statuses, plus 401, 403 and 429 (rate limit) that any
    /// protected endpoint can give.</summary>
    public static RouteHandlerBuilder ProducesCommonProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses.Concat([401, 403, 429]).Distinct()) builder.ProducesProblem(status);
        return builder;
    }
}
