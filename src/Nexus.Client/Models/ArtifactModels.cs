namespace Nexus.Client;

/// <summary>A file under the server's artifacts root (<c>GET /api/v1/artifacts</c>).</summary>
/// <param name="Path">Relative to the root, with forward slashes: what <see cref="ArtifactsClient.DownloadAsync"/> takes.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="ModifiedAt">Its last write time.</param>
public sealed record ArtifactInfo(string Path, long Bytes, DateTimeOffset ModifiedAt);

/// <summary>One page of <see cref="ArtifactInfo"/>, in ordinal order of the path.</summary>
/// <param name="Items">The files.</param>
/// <param name="Next">Pass as <c>after</c> to get the next page; null on the last page.</param>
public sealed record ArtifactPage(IReadOnlyList<ArtifactInfo> Items, string? Next);

/// <summary>What <see cref="ArtifactsClient.DownloadAsync"/> wrote.</summary>
/// <param name="Path">The file asked for.</param>
/// <param name="Bytes">Bytes written to the destination.</param>
/// <param name="ContentType">The server's content type for it, e.g. <c>image/png</c>.</param>
/// <param name="ModifiedAt">The file's last write time, when the server said.</param>
public sealed record ArtifactDownload(string Path, long Bytes, string ContentType, DateTimeOffset? ModifiedAt);
