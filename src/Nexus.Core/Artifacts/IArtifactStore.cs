namespace Nexus.Artifacts;

/// <summary>
/// Where tasks' files, offloaded outputs (claim check) and attempt logs live: a flat namespace of names such as
/// <c>runs/12/resize/thumb.png</c>. Names are checked by <see cref="ArtifactName"/> before any store sees them, so no
/// store can be walked out of its root or bucket. The default is <see cref="LocalArtifactStore"/> (a folder under the
/// data directory); an S3-compatible store is in <c>Nexus.Artifacts.S3</c>.
/// </summary>
public interface IArtifactStore
{
    /// <summary>Stores <paramref name="content"/> under <paramref name="name"/>, replacing what was there. Readers see
    /// the old content or the whole new one, never a part.</summary>
    Task<ArtifactInfo> PutAsync(string name, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Opens the artifact for reading, or null when there is none. The caller disposes the stream.</summary>
    Task<Stream?> OpenAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The artifact's size and time, or null when there is none.</summary>
    Task<ArtifactInfo?> GetInfoAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every artifact whose name starts with <paramref name="prefix"/> (empty: all), in ordinal order of the
    /// name; up to <paramref name="limit"/> after <paramref name="after"/> (exclusive).</summary>
    Task<IReadOnlyList<ArtifactInfo>> ListAsync(string prefix, string? after = null, int limit = 1000, CancellationToken cancellationToken = default);

    /// <summary>Deletes the artifact; false when there was none.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>One stored artifact.</summary>
/// <param name="Name">The full name (<c>runs/12/resize/thumb.png</c>).</param>
/// <param name="Bytes">Its size.</param>
/// <param name="ModifiedAt">When it was last written.</param>
public sealed record ArtifactInfo(string Name, long Bytes, DateTimeOffset ModifiedAt);
