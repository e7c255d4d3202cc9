using GraphQL;
using Nexus.Server.Api;
using Nexus.Server.Auth;

namespace Nexus.Server.GraphQl;

/// <summary>The one rule on every field: the caller needs the right its REST route needs (deny by default), and then the
/// endpoints' own checks (namespaces, queues) apply to what it names.</summary>
internal static class FieldAccess
{
    public static GraphQlRequestContext Request(this IResolveFieldContext context) =>
        context.UserContext as GraphQlRequestContext ?? throw new InvalidOperationException("A GraphQL field ran outside a Nexus request.");

    public static HttpContext Http(this IResolveFieldContext context) => context.Request().Http;

    public static T Service<T>(this IResolveFieldContext context) where T : notnull => context.Http().RequestServices.GetRequiredService<T>();

    /// <summary>The caller, after checking that one of its roles grants <paramref name="right"/>.</summary>
    public static Caller Require(this IResolveFieldContext context, Right right)
    {
        var caller = context.Request().Caller;
        if (!caller.Has(right))
        {
            throw new ApiProblemException(403, "forbidden", "Forbidden",
                $"{context.FieldDefinition.Name}: your role ({string.Join(", ", caller.Roles)}) may not use this field; it needs one of: {string.Join(", ", NexusRoles.Granting(right))}.");
        }
        return caller;
    }

    /// <summary>As <see cref="Require"/>, for fields whose REST routes belong to no queue (services): a caller limited
    /// to queues is refused them.</summary>
    public static Caller RequireUnlimited(this IResolveFieldContext context, Right right)
    {
        var caller = context.Require(right);
        if (caller.IsLimited)
        {
            throw new ApiProblemException(403, "queue-forbidden", "Queue not allowed",
                $"{context.FieldDefinition.Name}: this answer mixes the data of every queue and cannot be cut to the queues you are limited to; it needs credentials without a queue limit.");
        }
        return caller;
    }

    public static CancellationToken Aborted(this IResolveFieldContext context) => context.CancellationToken;
}
