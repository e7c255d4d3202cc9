namespace Nexus.Plugins.Samples.Tests.Text;

public sealed class TextGeneratePluginTests : IDisposable
{
    private readonly TempArtifacts _dir = new();

    public void Dispose() => _dir.Dispose();

    private ValueTask<TextGenerateResult> Run(TextGenerateArgs args) =>
        new TextGeneratePlugin(_dir.Options).ExecuteAsync(args, _dir.Context("text.generate"));

    [Theory]
    [InlineData(1, 10)]
    [InlineData(500, 40)]
    [InlineData(3000, 80)]
    public async Task WritesTheWordCount_WrappedToTheLineWidth(int words, int lineWidth)
    {
        var result = await Run(new TextGenerateArgs("texts/out.txt", words, lineWidth, Seed: 7));

        var text = File.ReadAllText(_dir.At("texts/out.txt"));
        var lines = text.Split('\n');
        Assert.Equal("", lines[^1]);
        lines = lines[..^1];
        Assert.All(lines, line => Assert.InRange(line.Length, 1, lineWidth));
        Assert.DoesNotContain('\r', text);
        Assert.Equal(words, text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(new TextGenerateResult("texts/out.txt", words, lines.Length, new FileInfo(_dir.At("texts/out.txt")).Length, 7), result);
        Assert.EndsWith(".\n", text, StringComparison.Ordinal);
        Assert.True(char.IsUpper(text[0]));
    }

    [Fact]
    public async Task WrapsGreedily_NoNextWordWouldHaveFitOnTheLineBefore()
    {
        await Run(new TextGenerateArgs("g.txt", 800, 30, Seed: 3));

        var lines = File.ReadAllLines(_dir.At("g.txt"));
        for (var i = 1; i < lines.Length; i++)
        {
            var firstWord = lines[i].Split(' ')[0];
            Assert.True(lines[i - 1].Length + 1 + firstWord.Length > 30, $"'{firstWord}' would have fit on line {i}");
        }
    }

    [Fact]
    public async Task SameSeed_SameText_AndTheWordCountPluginAgrees()
    {
        var a = await Run(new TextGenerateArgs("a.txt", 1234, 60, Seed: 99));
        await Run(new TextGenerateArgs("b.txt", 1234, 60, Seed: 99));

        Assert.Equal(File.ReadAllText(_dir.At("a.txt")), File.ReadAllText(_dir.At("b.txt")));
        var counted = await new WordCountPlugin(_dir.Options).ExecuteAsync(new WordCountArgs("a.txt"), _dir.Context("text.wordcount"));
        Assert.Equal(a.Words, counted.Total);
    }

    [Fact]
    public async Task WithoutSeed_ReportsOne_ThatReproducesTheText()
    {
        var first = await Run(new TextGenerateArgs("a.txt", 300));
        await Run(new TextGenerateArgs("b.txt", 300, Seed: first.Seed));

        Assert.Equal(File.ReadAllText(_dir.At("a.txt")), File.ReadAllText(_dir.At("b.txt")));
    }

    [Fact]
    public void Vocabulary_FitsTheSmallestLineWidthWithAFullStop()
    {
        Assert.All(Vocabulary.Words, w => Assert.InRange(w.Length, 1, Vocabulary.MaxWordLength));
        Assert.All(Vocabulary.Words, w => Assert.True(w.All(char.IsAsciiLetterLower), w));
        Assert.True(Vocabulary.MaxWordLength + 1 <= 10);
    }

    [Fact]
    public async Task ReportsProgress()
    {
        await Run(new TextGenerateArgs("p.txt", 10_000, Seed: 1));

        _dir.AssertProgressCompleted();
        Assert.True(_dir.Progress.Count >= 20);
    }

    [Fact]
    public async Task EscapingFilename_IsRefused_AndWritesNothing()
    {
        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new TextGenerateArgs("../outside/t.txt", 10)).AsTask());

        Assert.StartsWith("args.filename:", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_dir.AllFiles());
    }
}
