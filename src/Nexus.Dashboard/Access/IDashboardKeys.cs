using Microsoft.AspNetCore.Http;

namespace Nexus.Dashboard.Access;

/// <summary>The host's API keys, managed with the caller's own limits (the server: the same code as <c>/api/v1/keys</c>).
/// Optional: without it the keys page says keys are not managed here.</summary>
public interface IDashboardKeys
{
    /// <summary>The keys the caller may see (never their secrets).</summary>
    Task<IReadOnlyList<DashboardKey>> ListAsync(HttpContext context, CancellationToken cancellationToken);

    /// <summary>Creates a key limited to <paramref name="queues"/> and <paramref name="namespaces"/> (neither: every queue
    /// and namespace; a limit in one leaves the other denied unless named), never beyond the caller's own; returns its
    /// secret (shown once) or why it was refused (naming the field).</summary>
    Task<(string? Secret, string? Error)> CreateAsync(HttpContext context, string? name, string? role, IReadOnlyList<string> queues, IReadOnlyList<string> namespaces, CancellationToken cancellationToken);

    /// <summary>Revokes a key; returns null or why it was refused.</summary>
    Task<string?> RevokeAsync(HttpContext context, string id, CancellationToken cancellationToken);

    /// <summary>The roles a key can have.</summary>
    IReadOnlyList<string> Roles { get; }
}

/// <summary>An API key as the keys page shows it.</summary>
public sealed record DashboardKey(string Id, string Name, string Role, IReadOnlyList<string> Queues, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, string? CreatedBy)
{
    /// <summary>The event and state namespaces it may use.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];
}
