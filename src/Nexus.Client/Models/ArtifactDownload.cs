namespace Nexus.Client;

/// <summary>What <see cref="ArtifactsClient.DownloadAsync"/> wrote.</summary>
/// <param name="Path">The file asked for.</param>
/// <param name="Bytes">Bytes written to the destination.</param>
/// <param name="ContentType">The server's content type for it, e.g. <c>image/png</c>.</param>
/// <param name="ModifiedAt">The file's last write time, when the server said.</param>
public sealed record ArtifactDownload(string Path, long Bytes, string ContentType, DateTimeOffset? ModifiedAt);

