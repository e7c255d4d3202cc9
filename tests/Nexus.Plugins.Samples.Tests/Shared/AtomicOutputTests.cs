namespace Nexus.Plugins.Samples.Tests.Shared;

/// <summary>Temporaries left by killed attempts are cleaned up by the next write of the same output (issue 15 defect 10:
/// the `.partial` files of killed attempts were never removed).</summary>
public sealed class AtomicOutputTests : IDisposable
{
    private readonly TempArtifacts _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AWrite_RemovesTheStaleTemporariesOfItsOutput_AndLeavesFreshOnesAndOtherOutputsAlone()
    {
        var final = Path.Combine(_dir.Root, "out", "story.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        string Partial(string name, string id) => Path.Combine(_dir.Root, "out", $".{name}.{id}.partial");
        var stale = Partial("story.txt", "aaaa");
        var fresh = Partial("story.txt", "bbbb");
        var otherOutput = Partial("other.txt", "cccc");
        foreach (var file in new[] { stale, fresh, otherOutput }) await File.WriteAllTextAsync(file, "half");
        var old = DateTime.UtcNow - AtomicOutput.StaleAfter - TimeSpan.FromMinutes(5);
        File.SetLastWriteTimeUtc(stale, old);
        File.SetLastWriteTimeUtc(otherOutput, old);

        await AtomicOutput.WriteFileAsync(final, "args.filename", (s, ct) => s.WriteAsync("done"u8.ToArray(), ct).AsTask(), CancellationToken.None);

        Assert.Equal("done", await File.ReadAllTextAsync(final));
        Assert.False(File.Exists(stale), "a killed attempt's temporary of this output should be gone");
        Assert.True(File.Exists(fresh), "a temporary that may belong to a live attempt must stay");
        Assert.True(File.Exists(otherOutput), "another output's temporaries are that output's to clean");
    }
}
