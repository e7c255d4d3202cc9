using GraphQL;
using Nexus.Server.Api;

namespace Nexus.Server.GraphQl;

/// <summary>The <c>limit</c> argument of list fields, checked as REST checks its query parameter.</summary>
internal static class Paging
{
    public static int Limit(IResolveFieldContext context, int fallback, int max = 1000)
    {
        var limit = context.GetArgument<int?>("limit");
        if (limit is { } l && (l < 1 || l > max)) throw ApiProblemException.Invalid("limit", $"must be 1–{max} (was {l})");
        return limit ?? fallback;
    }
}
