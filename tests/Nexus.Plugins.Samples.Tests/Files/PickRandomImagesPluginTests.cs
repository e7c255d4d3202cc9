namespace Nexus.Plugins.Samples.Tests.Files;

public sealed class PickRandomImagesPluginTests : IDisposable
{
    private readonly TempArtifacts _dir = new();

    public PickRandomImagesPluginTests()
    {
        for (var i = 0; i < 12; i++) _dir.Write($"pool/img{i:00}.{(i % 3 == 0 ? "PNG" : i % 3 == 1 ? "jpg" : "webp")}", $"image {i}");
        _dir.Write("pool/notes.txt", "not an image");
        _dir.Write("pool/sub/deep.png", "not a direct child");
    }

    public void Dispose() => _dir.Dispose();

    private ValueTask<PickRandomImagesResult> Run(PickRandomImagesArgs args) =>
        new PickRandomImagesPlugin(_dir.Options).ExecuteAsync(args, _dir.Context("images.pick-random"));

    [Fact]
    public async Task SameSeed_PicksTheSameFiles_AndCopiesThem()
    {
        var second = await Run(new PickRandomImagesArgs("pool", "picked/two", Count: 4, Seed: 2024));
        _dir.Progress.Clear();
        var first = await Run(new PickRandomImagesArgs("pool", "picked/one", Count: 4, Seed: 2024));

        Assert.Equal(12, first.Available);
        Assert.Equal(4, first.Picked.Count);
        Assert.Equal(first.Picked.Select(p => p.Source), second.Picked.Select(p => p.Source));
        Assert.Equal(4, first.Picked.Select(p => p.Source).Distinct().Count());
        foreach (var picked in first.Picked)
        {
            Assert.StartsWith("pool/img", picked.Source, StringComparison.Ordinal);
            Assert.Equal("picked/one/" + Path.GetFileName(picked.Source), picked.Copy);
            Assert.Equal(File.ReadAllText(_dir.At(picked.Source)), File.ReadAllText(_dir.At(picked.Copy)));
            Assert.Equal(new FileInfo(_dir.At(picked.Source)).Length, picked.Bytes);
        }
        Assert.Equal(4, Directory.GetFiles(_dir.At("picked/one")).Length);
        _dir.AssertProgressCompleted();
    }

    [Fact]
    public async Task DifferentSeeds_CanPickDifferently()
    {
        var picks = new HashSet<string>();
        for (var seed = 0; seed < 8; seed++)
        {
            var result = await Run(new PickRandomImagesArgs("pool", $"p{seed}", Count: 3, Seed: seed));
            picks.Add(string.Join(",", result.Picked.Select(p => p.Source)));
        }

        Assert.True(picks.Count > 1);
    }

    [Fact]
    public async Task Extensions_FilterCaseInsensitively_WithOrWithoutDot()
    {
        var withDot = await Run(new PickRandomImagesArgs("pool", "copies1", Count: 100, Extensions: [".png"], Seed: 1));
        var withoutDot = await Run(new PickRandomImagesArgs("pool", "copies2", Count: 100, Extensions: ["png", "WEBP"], Seed: 1));

        Assert.Equal(4, withDot.Available);
        Assert.Equal(4, withDot.Picked.Count);
        Assert.All(withDot.Picked, p => Assert.EndsWith(".PNG", p.Source, StringComparison.Ordinal));
        Assert.Equal(8, withoutDot.Available);
        Assert.Equal(8, Directory.GetFiles(_dir.At("copies2")).Length);
    }

    [Fact]
    public async Task NoMatchingFiles_IsRefused()
    {
        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new PickRandomImagesArgs("pool", "out", Extensions: ["gif"])).AsTask());

        Assert.StartsWith("args.sourceDir:", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.At("out")));
    }

    [Fact]
    public async Task MissingSourceDir_IsRefused()
    {
        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new PickRandomImagesArgs("nowhere", "out")).AsTask());

        Assert.StartsWith("args.sourceDir:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadExtension_IsRefusedNamingTheEntry()
    {
        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new PickRandomImagesArgs("pool", "out", Extensions: ["png", "*"])).AsTask());

        Assert.StartsWith("args.extensions[1]:", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../outside", "out", "args.sourceDir:")]
    [InlineData("pool", "../outside", "args.copyTo:")]
    [InlineData("pool", "escape", "args.copyTo:")]
    public async Task FoldersOutOfTheRoot_AreRefused_AndNothingIsCopiedOutside(string sourceDir, string copyTo, string messageStart)
    {
        Directory.CreateSymbolicLink(_dir.At("escape"), _dir.Outside);

        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new PickRandomImagesArgs(sourceDir, copyTo, Count: 3, Seed: 1)).AsTask());

        Assert.StartsWith(messageStart, ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Outside));
    }

    [Fact]
    public async Task ImageLinkedFromOutside_IsRefused_AndNoCopyIsLeft()
    {
        File.WriteAllText(Path.Combine(_dir.Outside, "secret.png"), "secret");
        Directory.CreateDirectory(_dir.At("linked"));
        File.CreateSymbolicLink(_dir.At("linked/a.png"), Path.Combine(_dir.Outside, "secret.png"));
        _dir.Write("linked/b.png", "fine");

        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new PickRandomImagesArgs("linked", "copies", Count: 2, Seed: 1)).AsTask());

        Assert.StartsWith("args.sourceDir:", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(_dir.At("copies")) ? Directory.GetFiles(_dir.At("copies")) : []);
    }
}
