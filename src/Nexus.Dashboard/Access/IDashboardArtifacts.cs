namespace Nexus.Dashboard.Access;

/// <summary>The host's artifact files (what plugins wrote), listed for the artifacts page and downloaded through
/// <see cref="DownloadPath"/>. Optional: without it the page says there are none here. Artifacts belong to no queue, so
/// the page refuses callers limited to queues, as the API does.</summary>
public interface IDashboardArtifacts
{
    /// <summary>Up to <paramref name="limit"/> files under <paramref name="prefix"/> after the cursor, in path order, and the
    /// next cursor; or why the prefix or cursor is refused (naming the field).</summary>
    (IReadOnlyList<DashboardArtifact> Items, string? Next, string? Error) List(string prefix, string? after, int limit);

    /// <summary>The dashboard URL that downloads a file (same cookie, same rule as the API's download).</summary>
    string DownloadPath(string path);
}

/// <summary>One artifact file.</summary>
public sealed record DashboardArtifact(string Path, long Length, DateTimeOffset Modified);
