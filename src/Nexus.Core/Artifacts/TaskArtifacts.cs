using System.Text;

namespace Nexus.Artifacts;

/// <summary>A running task's files (<see cref="Plugins.TaskContext.Artifacts"/>): names are relative to the task's
/// folder (<see cref="ArtifactPrefixes"/>) and checked by <see cref="ArtifactName"/>.</summary>
public sealed class TaskArtifacts
{
    private readonly IArtifactStore _store;

    /// <summary>A view of <paramref name="store"/> under <paramref name="folder"/> (which ends with <c>/</c>).</summary>
    public TaskArtifacts(IArtifactStore store, string folder)
    {
        _store = store;
        Folder = folder;
    }

    /// <summary>The task's folder in the store (<c>runs/12/resize/</c> or <c>tasks/40/</c>).</summary>
    public string Folder { get; }

    /// <summary>Stores <paramref name="content"/> as <paramref name="name"/> (relative: <c>thumbs/a.png</c>) and returns
    /// its full name and size.</summary>
    public Task<ArtifactInfo> WriteAsync(string name, Stream content, CancellationToken cancellationToken = default) =>
        _store.PutAsync(FullName(name), content, cancellationToken);

    /// <summary>Stores UTF-8 text as <paramref name="name"/>.</summary>
    public async Task<ArtifactInfo> WriteTextAsync(string name, string text, CancellationToken cancellationToken = default)
    {
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(text), writable: false);
        return await WriteAsync(name, content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens one of the task's files, or null.</summary>
    public Task<Stream?> OpenAsync(string name, CancellationToken cancellationToken = default) =>
        _store.OpenAsync(FullName(name), cancellationToken);

    /// <summary>The task's files (full names).</summary>
    public Task<IReadOnlyList<ArtifactInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        _store.ListAsync(Folder, null, 1000, cancellationToken);

    private string FullName(string name)
    {
        ArtifactName.Validate(name);
        return ArtifactName.Validate(Folder + name);
    }
}
