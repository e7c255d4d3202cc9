namespace Nexus.Artifacts;

/// <summary>
/// Artifacts as files under one folder: the name is the relative path. A put writes a hidden temporary file
/// (<c>.&lt;guid&gt;.partial</c>, which no valid name can reach) beside the target and renames it over the target, so a
/// reader never sees half a file. Names are validated by <see cref="ArtifactName"/> and so cannot leave the folder.
/// </summary>
public sealed class LocalArtifactStore : IArtifactStore
{
    private static readonly EnumerationOptions Walk = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        ReturnSpecialDirectories = false,
    };

    /// <summary>Uses the folder <paramref name="root"/> (created by the first put); a relative path is resolved against
    /// the current directory.</summary>
    public LocalArtifactStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The full path of the folder.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public async Task<ArtifactInfo> PutAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        var path = PathOf(ArtifactName.Validate(name));
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Guid.NewGuid():N}.partial");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        return Info(name, new FileInfo(path));
    }

    /// <inheritdoc />
    public Task<Stream?> OpenAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(ArtifactName.Validate(name));
        try
        {
            return Task.FromResult<Stream?>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException && !File.Exists(path))
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    /// <inheritdoc />
    public Task<ArtifactInfo?> GetInfoAsync(string name, CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(PathOf(ArtifactName.Validate(name)));
        return Task.FromResult(file.Exists ? Info(name, file) : null);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ArtifactInfo>> ListAsync(string prefix, string? after = null, int limit = 1000, CancellationToken cancellationToken = default)
    {
        ArtifactName.ValidatePrefix(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var cut = prefix.LastIndexOf('/');
        var logical = cut < 0 ? "" : prefix[..(cut + 1)];
        var start = cut < 0 ? Root : PathOf(prefix[..cut]);
        if (!Directory.Exists(start)) return Task.FromResult<IReadOnlyList<ArtifactInfo>>([]);
        // The smallest `limit` names past the cursor, whatever the folder holds: memory is bounded by the page.
        var page = new SortedDictionary<string, FileInfo>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(start, "*", Walk))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = logical + Path.GetRelativePath(start, path).Replace(Path.DirectorySeparatorChar, '/');
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || ArtifactName.Problem(name) is not null) continue;
            if (after is not null && string.CompareOrdinal(name, after) <= 0) continue;
            page[name] = new FileInfo(path);
            if (page.Count > limit) page.Remove(page.Keys.Last());
        }
        return Task.FromResult<IReadOnlyList<ArtifactInfo>>([.. page.Select(p => Info(p.Key, p.Value))]);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(ArtifactName.Validate(name));
        if (!File.Exists(path)) return Task.FromResult(false);
        File.Delete(path);
        return Task.FromResult(true);
    }

    private string PathOf(string name) => Path.Combine(Root, name.Replace('/', Path.DirectorySeparatorChar));

    private static ArtifactInfo Info(string name, FileInfo file) =>
        new(name, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover hidden .partial file is never listed.
        }
    }
}
