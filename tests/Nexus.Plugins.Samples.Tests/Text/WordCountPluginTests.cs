namespace Nexus.Plugins.Samples.Tests.Text;

public sealed class WordCountPluginTests : IDisposable
{
    private readonly TempArtifacts _dir = new();

    public void Dispose() => _dir.Dispose();

    private ValueTask<WordCountResult> Run(WordCountArgs args) =>
        new WordCountPlugin(_dir.Options).ExecuteAsync(args, _dir.Context("text.wordcount"));

    [Fact]
    public async Task CountsAKnownText_CaseInsensitively()
    {
        _dir.Write("in/known.txt", "The cat sat. the CAT ran!\nA dog, the end.");

        var result = await Run(new WordCountArgs("in/known.txt", Top: 3));

        Assert.Equal("in/known.txt", result.InputFile);
        Assert.Equal(10, result.Total);
        Assert.Equal(7, result.Unique);
        Assert.Equal([new("the", 3), new("cat", 2), new("a", 1)], result.Top);
        _dir.AssertProgressCompleted();
    }

    [Fact]
    public async Task ApostrophesJoinWords_ButAreTrimmedAtTheEnds_HyphensAndPunctuationSplit()
    {
        _dir.Write("a.txt", "Don't don’t 'quoted' rock'n'roll '' well-known e-mail 42 4.2 ünïcödé ÜNÏCÖDÉ");

        var result = await Run(new WordCountArgs("a.txt", Top: 100));

        var counts = result.Top.ToDictionary(w => w.Word, w => w.Count);
        Assert.Equal(2, counts["don't"]);
        Assert.Equal(1, counts["quoted"]);
        Assert.Equal(1, counts["rock'n'roll"]);
        Assert.Equal(1, counts["well"]);
        Assert.Equal(1, counts["known"]);
        Assert.Equal(1, counts["42"]);
        Assert.Equal(2, counts["ünïcödé"]);
        Assert.Equal(1, counts["4"]);
        Assert.Equal(1, counts["2"]);
        Assert.Equal(13, result.Total);
        Assert.Equal(11, result.Unique);
    }

    [Fact]
    public async Task ChunkBoundaries_DoNotSplitWords()
    {
        // Longer than the 64 Ki-character read buffer, with words straddling it.
        var words = Enumerable.Range(0, 30_000).Select(i => i % 3 == 0 ? "alpha" : i % 3 == 1 ? "beta" : "gamma").ToList();
        _dir.Write("long.txt", string.Join(' ', words));

        var result = await Run(new WordCountArgs("long.txt"));

        Assert.Equal(30_000, result.Total);
        Assert.Equal([new("alpha", 10_000), new("beta", 10_000), new("gamma", 10_000)], result.Top);
    }

    [Fact]
    public async Task EmptyFile_CountsNothing()
    {
        _dir.Write("empty.txt", "");

        var result = await Run(new WordCountArgs("empty.txt"));

        Assert.Equal((0L, 0), (result.Total, result.Unique));
        Assert.Empty(result.Top);
    }

    [Fact]
    public async Task MissingInput_IsRefusedNamingTheField()
    {
        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new WordCountArgs("nope.txt")).AsTask());

        Assert.StartsWith("args.inputFile:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InputLinkedFromOutside_IsRefused()
    {
        File.WriteAllText(Path.Combine(_dir.Outside, "secret.txt"), "top secret words");
        File.CreateSymbolicLink(_dir.At("innocent.txt"), Path.Combine(_dir.Outside, "secret.txt"));

        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new WordCountArgs("innocent.txt")).AsTask());

        Assert.StartsWith("args.inputFile:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InputAboveTheSizeLimit_IsRefusedWithTheLimit()
    {
        _dir.Settings.MaxInputBytes = 10;
        _dir.Write("big.txt", "more than ten bytes");

        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new WordCountArgs("big.txt")).AsTask());

        Assert.Contains("limit of 10 bytes", ex.Message, StringComparison.Ordinal);
    }
}
