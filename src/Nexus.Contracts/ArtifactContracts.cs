namespace Nexus.Contracts;

/// <summary>One page of the files under the artifacts root.</summary>
/// <param name="Items">Files in ordinal order of their path.</param>
/// <param name="Next">Pass as <c>after</c> to get the next page; null on the last page.</param>
public sealed record ArtifactListResponse(IReadOnlyList<ArtifactResponse> Items, string? Next);

/// <summary>A file under the artifacts root.</summary>
/// <param name="Path">Relative to the root, with forward slashes: what <c>GET /api/v1/artifacts/{path}</c> takes.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="ModifiedAt">Its last write time.</param>
public sealed record ArtifactResponse(string Path, long Bytes, DateTimeOffset ModifiedAt);
