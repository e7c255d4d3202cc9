using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Nexus.Server.Api;

namespace Nexus.Server.Auth;

/// <summary>An endpoint's need for one <see cref="Auth.Right"/>.</summary>
internal sealed record RightRequirement(Right Right) : IAuthorizationRequirement;

/// <summary>Grants a <see cref="RightRequirement"/> when one of the caller's roles grants the right.</summary>
internal sealed class RightHandler : AuthorizationHandler<RightRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RightRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated == true && Caller.From(context.User).Has(requirement.Right)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>Answers a refused authorization with problem+json that names the right and the roles that have it.</summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            var caller = Caller.From(context.User);
            var failed = authorizeResult.AuthorizationFailure?.FailedRequirements.ToList() ?? [];
            var right = failed.OfType<RightRequirement>().FirstOrDefault()?.Right;
            if (right is null && failed.OfType<UnlimitedRequirement>().Any())
            {
                await Problems.WriteAsync(context, 403, "queue-forbidden", "Queue not allowed",
                    "This answer mixes the data of every queue and cannot be cut to the queues you are limited to; it needs credentials without a queue limit.");
                return;
            }
            var detail = right is { } r
                ? $"Your role ({string.Join(", ", caller.Roles)}) may not {Describe(r)}; that needs one of: {string.Join(", ", NexusRoles.Granting(r))}."
                : "Your credentials do not allow this request.";
            await Problems.WriteAsync(context, 403, "forbidden", "Forbidden", detail);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    private static string Describe(Right right) => right switch
    {
        Right.Read => "read tasks, queues and artifacts",
        Right.Submit => "submit tasks",
        Right.Manage => "manage tasks, dead letters and queues",
        Right.Plugins => "list plugins",
        Right.Work => "work on tasks as an external worker",
        Right.Keys => "manage API keys",
        _ => right.ToString(),
    };
}
