using System.IO.Compression;

namespace Nexus.Plugins.Samples.Tests.Files;

public sealed class ZipPluginTests : IDisposable
{
    private readonly TempArtifacts _dir = new();

    public ZipPluginTests()
    {
        _dir.Write("docs/readme.txt", "read me");
        _dir.Write("docs/guide/intro.md", "# Intro\n" + string.Concat(Enumerable.Repeat("compressible text ", 500)));
        _dir.Write("docs/guide/setup.md", "setup");
        Directory.CreateDirectory(_dir.At("docs/empty"));
        _dir.Write("data.csv", "a,b\n1,2\n");
    }

    public void Dispose() => _dir.Dispose();

    private ValueTask<ZipResult> Run(ZipArgs args, CancellationToken ct = default) =>
        new ZipPlugin(_dir.Options).ExecuteAsync(args, _dir.Context("files.zip", ct));

    private Dictionary<string, string> ReadZip(string relative)
    {
        using var archive = ZipFile.OpenRead(_dir.At(relative));
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            if (e.FullName.EndsWith('/')) return "";
            using var reader = new StreamReader(e.Open());
            return reader.ReadToEnd();
        });
    }

    [Fact]
    public async Task PacksFilesAndFolders_EntriesNamedByPathUnderTheRoot()
    {
        var result = await Run(new ZipArgs(["docs", "data.csv"], "out/bundle.zip"));

        var entries = ReadZip("out/bundle.zip");
        Assert.Equal(["data.csv", "docs/empty/", "docs/guide/intro.md", "docs/guide/setup.md", "docs/readme.txt"], entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("read me", entries["docs/readme.txt"]);
        Assert.Equal(File.ReadAllText(_dir.At("docs/guide/intro.md")), entries["docs/guide/intro.md"]);
        Assert.Equal("a,b\n1,2\n", entries["data.csv"]);
        Assert.Equal("out/bundle.zip", result.Path);
        Assert.Equal(5, result.Entries);
        Assert.Equal(new FileInfo(_dir.At("out/bundle.zip")).Length, result.Bytes);
        Assert.Equal(new[] { "docs/readme.txt", "docs/guide/intro.md", "docs/guide/setup.md", "data.csv" }.Sum(f => new FileInfo(_dir.At(f)).Length), result.UncompressedBytes);
        _dir.AssertProgressCompleted();
        Assert.True(_dir.Progress.Count(p => p.Message?.StartsWith("packed", StringComparison.Ordinal) == true) == 5, "one progress report per entry");
    }

    [Theory]
    [InlineData(0, "NoCompression")]
    [InlineData(1, "Fastest")]
    [InlineData(3, "Fastest")]
    [InlineData(4, "Optimal")]
    [InlineData(6, "Optimal")]
    [InlineData(7, "SmallestSize")]
    [InlineData(9, "SmallestSize")]
    public async Task CompressionLevel_MapsZipDigitsOntoTheFourLevels(int level, string expected)
    {
        var result = await Run(new ZipArgs(["docs/guide/intro.md"], "z.zip", level));

        Assert.Equal(expected, result.CompressionLevel);
        using var archive = ZipFile.OpenRead(_dir.At("z.zip"));
        var entry = Assert.Single(archive.Entries);
        if (level == 0) Assert.Equal(entry.Length, entry.CompressedLength);
        else Assert.True(entry.CompressedLength < entry.Length / 4, $"level {level} should compress repetitive text");
    }

    [Fact]
    public async Task ZippingTheWholeRoot_LeavesTheOutputItselfOut()
    {
        await Run(new ZipArgs(["."], "all.zip"));
        var again = await Run(new ZipArgs(["."], "all.zip"));

        var entries = ReadZip("all.zip");
        Assert.DoesNotContain("all.zip", entries.Keys);
        Assert.Equal(5, again.Entries);
        Assert.Equal(5, entries.Count);
    }

    [Fact]
    public async Task TheSameFileTwice_IsPackedOnce()
    {
        var result = await Run(new ZipArgs(["docs/readme.txt", "docs", "./docs/readme.txt"], "twice.zip"));

        Assert.Equal(4, result.Entries);
        Assert.Equal(4, ReadZip("twice.zip").Count);
    }

    [Fact]
    public async Task LinkInsideAFolderLeadingOut_IsRefused_AndNoZipIsWritten()
    {
        File.WriteAllText(Path.Combine(_dir.Outside, "secret.txt"), "secret");
        Directory.CreateSymbolicLink(_dir.At("docs/escape"), _dir.Outside);

        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new ZipArgs(["docs"], "z.zip")).AsTask());

        Assert.StartsWith("args.sourcePaths[0]:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("docs/escape", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.At("z.zip")));
    }

    [Fact]
    public async Task LinkInsideTheRoot_IsPackedUnderItsOwnName()
    {
        File.CreateSymbolicLink(_dir.At("docs/alias.txt"), _dir.At("data.csv"));

        await Run(new ZipArgs(["docs"], "z.zip"));

        Assert.Equal("a,b\n1,2\n", ReadZip("z.zip")["docs/alias.txt"]);
    }

    [Theory]
    [InlineData(new[] { "missing.txt" }, "z.zip", "args.sourcePaths[0]:")]
    [InlineData(new[] { "docs", "../outside" }, "z.zip", "args.sourcePaths[1]:")]
    [InlineData(new[] { "docs" }, "../outside/z.zip", "args.outputFile:")]
    [InlineData(new[] { "docs" }, "<absolute path outside>", "args.outputFile:")]
    public async Task BadPaths_AreRefusedNamingTheArgument_AndNoZipIsWritten(string[] sources, string output, string messageStart)
    {
        if (output.StartsWith('<')) output = Path.Combine(_dir.Outside, "z.zip");
        var before = _dir.AllFiles();

        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new ZipArgs(sources, output)).AsTask());

        Assert.StartsWith(messageStart, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, _dir.AllFiles());
    }

    [Fact]
    public async Task CancelledAfterTheFirstEntry_StopsAndLeavesNoZip()
    {
        using var cts = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new ZipPlugin(_dir.Options).ExecuteAsync(new ZipArgs(["docs", "data.csv"], "z.zip"), _dir.CancellingContext("files.zip", cts)).AsTask());

        Assert.Single(_dir.Progress);
        Assert.False(File.Exists(_dir.At("z.zip")));
        Assert.DoesNotContain(_dir.AllFiles(), f => f.EndsWith(".partial", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancelled_LeavesNoZip()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(new ZipArgs(["docs"], "z.zip"), cts.Token).AsTask());

        Assert.False(File.Exists(_dir.At("z.zip")));
        Assert.DoesNotContain(_dir.AllFiles(), f => f.EndsWith(".partial", StringComparison.Ordinal));
    }
}
