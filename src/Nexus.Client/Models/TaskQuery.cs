using System.Text.Json;

namespace Nexus.Client;

/// <summary>Filters and paging for <c>GET /api/v1/tasks</c> and <c>GET /api/v1/dead-letters</c>; null fields are not sent.</summary>
public sealed record TaskQuery
{
    /// <summary>Only tasks in this state (ignored by the dead-letter list, which is always <c>dead</c>).</summary>
    public string? State { get; init; }
    /// <summary>Only this plugin's tasks.</summary>
    public string? Plugin { get; init; }
    /// <summary>Only this queue's tasks.</summary>
    public string? Queue { get; init; }
    /// <summary>Only tasks with this tag.</summary>
    public string? Tag { get; init; }
    /// <summary>Only tasks created at or after this instant.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }
    /// <summary>Only tasks created before this instant.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }
    /// <summary>The cursor: the <see cref="TaskListResponse.Next"/> of the previous page.</summary>
    public string? Before { get; init; }
    /// <summary>Page size, 1–1000. Default (null): the server's, 50.</summary>
    public int? Limit { get; init; }
}

