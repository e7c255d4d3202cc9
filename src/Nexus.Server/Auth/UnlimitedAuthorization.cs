using Microsoft.AspNetCore.Authorization;

namespace Nexus.Server.Auth;

/// <summary>An endpoint whose answer mixes every queue and cannot be cut to some (e.g. <c>/metrics</c>: many series,
/// such as store latencies and worker slots, carry no queue at all): only callers not limited to queues may call it.</summary>
internal sealed record UnlimitedRequirement : IAuthorizationRequirement
{
    /// <summary>The policy: authenticated, with <see cref="Right.Read"/>, and not limited to queues.</summary>
    public const string Policy = "nexus:read-all-queues";
}

/// <summary>Grants an <see cref="UnlimitedRequirement"/> to callers without a queue limit.</summary>
internal sealed class UnlimitedHandler : AuthorizationHandler<UnlimitedRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, UnlimitedRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated == true && !Caller.From(context.User).IsLimited) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
