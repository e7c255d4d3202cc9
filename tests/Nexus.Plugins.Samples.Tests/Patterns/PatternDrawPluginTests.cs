using SkiaSharp;

namespace Nexus.Plugins.Samples.Tests.Patterns;

public sealed class PatternDrawPluginTests : IDisposable
{
    private readonly TempArtifacts _dir = new();

    public void Dispose() => _dir.Dispose();

    private ValueTask<PatternDrawResult> Run(PatternDrawArgs args) =>
        new PatternDrawPlugin(_dir.Options, new ImageMemoryBudget(_dir.Options)).ExecuteAsync(args, _dir.Context("pattern.draw"));

    [Fact]
    public async Task Checkerboard_AlternatesTheFirstTwoColoursCellByCell()
    {
        // min(200, 100) / (2 × complexity 5) = 10-pixel cells.
        var result = await Run(new PatternDrawArgs("board.png", 200, 100, [DrawPattern.Checkerboard], ["#ff8800", "#0000ff"], Complexity: 5, Seed: 1));

        using var png = SKBitmap.Decode(_dir.At("board.png"));
        Assert.Equal((200, 100), (png.Width, png.Height));
        Assert.Equal(10, PatternLayers.CheckerCell(200, 100, 5));
        var orange = new SKColor(0xFF, 0x88, 0x00);
        var blue = new SKColor(0x00, 0x00, 0xFF);
        Assert.Equal(orange, png.GetPixel(0, 0));
        Assert.Equal(orange, png.GetPixel(9, 9));
        Assert.Equal(blue, png.GetPixel(10, 0));
        Assert.Equal(blue, png.GetPixel(0, 10));
        Assert.Equal(orange, png.GetPixel(10, 10));
        Assert.Equal(blue, png.GetPixel(195, 5));
        Assert.Equal(orange, png.GetPixel(199, 99));
        Assert.Equal([DrawPattern.Checkerboard], result.Patterns);
        Assert.Equal("board.png", result.Path);
    }

    [Fact]
    public async Task ShortColours_AreExpanded()
    {
        await Run(new PatternDrawArgs("short.png", 40, 40, [DrawPattern.Checkerboard], ["#f80", "#FFF"], Complexity: 1, Seed: 1));

        using var png = SKBitmap.Decode(_dir.At("short.png"));
        Assert.Equal(new SKColor(0xFF, 0x88, 0x00), png.GetPixel(0, 0));
        Assert.Equal(SKColors.White, png.GetPixel(39, 0));
    }

    [Fact]
    public async Task AllPatternsLayered_DrawSomethingOnEveryLayer_AndAreRepeatable()
    {
        DrawPattern[] all = [DrawPattern.Checkerboard, DrawPattern.Spiral, DrawPattern.Waves, DrawPattern.Mandala, DrawPattern.Hexagons, DrawPattern.Fractals];
        await Run(new PatternDrawArgs("all2.png", 256, 192, all, Complexity: 7, Seed: 9));
        _dir.Progress.Clear();
        var first = await Run(new PatternDrawArgs("all1.png", 256, 192, all, Complexity: 7, Seed: 9));

        Assert.Equal(File.ReadAllBytes(_dir.At("all1.png")), File.ReadAllBytes(_dir.At("all2.png")));
        Assert.Equal(all, first.Patterns);
        using var png = SKBitmap.Decode(_dir.At("all1.png"));
        Assert.Equal((256, 192), (png.Width, png.Height));
        _dir.AssertProgressCompleted();
        Assert.Contains(_dir.Progress, p => p.Message is not null && p.Message.Contains("layer 6 of 6", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(DrawPattern.Spiral)]
    [InlineData(DrawPattern.Waves)]
    [InlineData(DrawPattern.Mandala)]
    [InlineData(DrawPattern.Hexagons)]
    [InlineData(DrawPattern.Fractals)]
    public async Task EachPattern_PaintsInkOverTheBackground(DrawPattern pattern)
    {
        await Run(new PatternDrawArgs("p.png", 160, 160, [pattern], ["#000000", "#ffffff"], Complexity: 4, Seed: 3));

        using var png = SKBitmap.Decode(_dir.At("p.png"));
        var inked = 0;
        for (var x = 0; x < 160; x += 2)
        {
            for (var y = 0; y < 160; y += 2)
            {
                if (png.GetPixel(x, y) != SKColors.Black) inked++;
            }
        }
        Assert.InRange(inked, 1, (80 * 80) - 1);
    }

    [Fact]
    public async Task BadColour_IsRefusedNamingTheEntry_AndWritesNothing()
    {
        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new PatternDrawArgs("x.png", 10, 10, Colors: ["#ffffff", "orange"])).AsTask());

        Assert.StartsWith("args.colors[1]:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'orange'", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_dir.AllFiles());
    }

    [Theory]
    [InlineData("#12345")]
    [InlineData("#gg0000")]
    [InlineData("ff8800")]
    [InlineData("#ff880011")]
    public void HexColors_RejectsMalformed(string text) => Assert.False(HexColors.TryParse(text, out _));

    [Fact]
    public async Task ComplexityOutOfRange_IsRefused()
    {
        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new PatternDrawArgs("x.png", 10, 10, Complexity: 11)).AsTask());

        Assert.StartsWith("args.complexity:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AboveThePixelLimit_IsRefused()
    {
        _dir.Settings.MaxImagePixels = 100;

        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new PatternDrawArgs("x.png", 11, 10)).AsTask());

        Assert.Contains("limit of 100 pixels", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_dir.AllFiles());
    }

    [Fact]
    public async Task AbsoluteFilename_IsRefused_AndNothingIsWrittenThere()
    {
        var target = Path.Combine(_dir.Outside, "x.png");

        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new PatternDrawArgs(target, 10, 10)).AsTask());

        Assert.StartsWith("args.filename:", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }
}
