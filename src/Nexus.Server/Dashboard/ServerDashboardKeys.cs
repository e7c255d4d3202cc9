using Nexus.Dashboard.Access;
using Nexus.Server.Api;
using Nexus.Server.Auth;
using Nexus.Storage;

namespace Nexus.Server.Dashboard;

/// <summary>The dashboard's keys page through <see cref="KeyOperations"/>, the code behind <c>/api/v1/keys</c>: the same
/// checks (role, queues and namespaces no wider than the maker's), refusals as their problem detail.</summary>
internal sealed class ServerDashboardKeys(INexusStore store, TimeProvider time, ApiKeyValidator validator) : IDashboardKeys
{
    public IReadOnlyList<string> Roles => NexusRoles.All;

    public async Task<IReadOnlyList<DashboardKey>> ListAsync(HttpContext context, CancellationToken cancellationToken) =>
        [.. (await KeyOperations.ListAsync(CallerOf(context), store, cancellationToken))
            .Select(k => new DashboardKey(k.Id, k.Name, k.Role, k.Queues, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.CreatedBy) { Namespaces = k.Namespaces })];

    public async Task<(string? Secret, string? Error)> CreateAsync(HttpContext context, string? name, string? role, IReadOnlyList<string> queues, IReadOnlyList<string> namespaces, CancellationToken cancellationToken)
    {
        try
        {
            var (key, _) = await KeyOperations.CreateAsync(CallerOf(context), store, time, name, role, queues, null, cancellationToken, namespaces);
            return (key, null);
        }
        catch (ApiProblemException ex)
        {
            return (null, ex.Message);
        }
    }

    public async Task<string?> RevokeAsync(HttpContext context, string id, CancellationToken cancellationToken)
    {
        try
        {
            await KeyOperations.RevokeAsync(CallerOf(context), store, validator, id, cancellationToken);
            return null;
        }
        catch (ApiProblemException ex)
        {
            return ex.Message;
        }
    }

    private static Caller CallerOf(HttpContext context)
    {
        var caller = Caller.From(context.User);
        if (!caller.Has(Right.Keys)) throw new ApiProblemException(403, "forbidden", "Forbidden", "Your role may not manage API keys.");
        return caller;
    }
}
