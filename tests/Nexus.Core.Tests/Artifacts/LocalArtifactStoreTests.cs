using Nexus.Artifacts;

namespace Nexus.Core.Tests.Artifacts;

public sealed class LocalArtifactStoreTests : ArtifactStoreContract, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nexus-artifacts-" + Guid.NewGuid().ToString("N"));
    private readonly LocalArtifactStore _store;

    public LocalArtifactStoreTests() => _store = new LocalArtifactStore(_folder);

    protected override IArtifactStore Store => _store;

    public void Dispose()
    {
        // The store makes its folder on the first put; a test that never puts leaves none.
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Files_live_under_the_root_and_temporaries_are_never_listed()
    {
        await _store.PutAsync("runs/3/s/a.txt", new MemoryStream([1, 2, 3]));
        Assert.True(File.Exists(Path.Combine(_folder, "runs", "3", "s", "a.txt")));
        // A writer that died mid-put leaves a hidden temporary; no name reaches it and no listing shows it.
        await File.WriteAllTextAsync(Path.Combine(_folder, "runs", "3", "s", ".0123.partial"), "half");
        Assert.Equal(["runs/3/s/a.txt"], (await _store.ListAsync("runs/3/")).Select(a => a.Name));
    }
}
