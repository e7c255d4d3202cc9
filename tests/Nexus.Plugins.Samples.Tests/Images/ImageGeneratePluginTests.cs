using SkiaSharp;

namespace Nexus.Plugins.Samples.Tests.Images;

public sealed class ImageGeneratePluginTests : IDisposable
{
    private readonly TempArtifacts _dir = new();

    public void Dispose() => _dir.Dispose();

    private ValueTask<ImageGenerateResult> Run(ImageGenerateArgs args, CancellationToken ct = default) =>
        new ImageGeneratePlugin(_dir.Options, new ImageMemoryBudget(_dir.Options)).ExecuteAsync(args, _dir.Context("image.generate", ct));

    [Fact]
    public async Task Gradient_Blue_RunsFromNavyOnTheLeftToSkyBlueOnTheRight()
    {
        var result = await Run(new ImageGenerateArgs("out/gradient.png", Width: 301, Height: 40, Pattern: ImagePattern.Gradient, ColorScheme: ColorScheme.Blue, Seed: 1));

        using var png = SKBitmap.Decode(_dir.At("out/gradient.png"));
        Assert.Equal((301, 40), (png.Width, png.Height));
        Assert.Equal(new SKColor(0x0A, 0x1F, 0x44), png.GetPixel(0, 0));
        Assert.Equal(new SKColor(0x0A, 0x1F, 0x44), png.GetPixel(0, 39));
        Assert.Equal(new SKColor(0x2E, 0x86, 0xDE), png.GetPixel(150, 20));
        Assert.Equal(new SKColor(0x8F, 0xD3, 0xFE), png.GetPixel(300, 0));
        Assert.Equal(new SKColor(0x8F, 0xD3, 0xFE), png.GetPixel(300, 39));
        Assert.Equal(new ImageGenerateResult("out/gradient.png", 301, 40, new FileInfo(_dir.At("out/gradient.png")).Length, 1), result);
    }

    [Fact]
    public async Task Gradient_Rainbow_StartsRedAndEndsViolet()
    {
        await Run(new ImageGenerateArgs("r.png", Width: 64, Height: 8, ColorScheme: ColorScheme.Rainbow, Seed: 1));

        using var png = SKBitmap.Decode(_dir.At("r.png"));
        Assert.Equal(new SKColor(0xFF, 0x00, 0x00), png.GetPixel(0, 4));
        Assert.Equal(new SKColor(0x94, 0x00, 0xD3), png.GetPixel(63, 4));
    }

    [Fact]
    public async Task Stripes_StartWithTheFirstSchemeColourInTheTopLeftCorner()
    {
        await Run(new ImageGenerateArgs("s.png", Width: 120, Height: 90, Pattern: ImagePattern.Stripes, ColorScheme: ColorScheme.Green, Seed: 5));

        using var png = SKBitmap.Decode(_dir.At("s.png"));
        Assert.Equal(new SKColor(0x0B, 0x3D, 0x0B), png.GetPixel(0, 0));
        var palette = new[] { new SKColor(0x0B, 0x3D, 0x0B), new SKColor(0x1E, 0x6F, 0x1E), new SKColor(0x27, 0xAE, 0x60), new SKColor(0x2E, 0xCC, 0x71), new SKColor(0xA8, 0xE6, 0xA1) };
        var seen = new HashSet<SKColor>();
        for (var x = 0; x < 120; x++) seen.Add(png.GetPixel(x, 45));
        Assert.Subset(palette.ToHashSet(), seen);
        Assert.True(seen.Count >= 3, $"expected several stripes across a row, saw {seen.Count} colours");
    }

    [Theory]
    [InlineData(ImagePattern.Circles)]
    [InlineData(ImagePattern.Squares)]
    public async Task Shapes_SameSeed_GiveTheSameBytes_OtherSeed_Differs(ImagePattern pattern)
    {
        var a = await Run(new ImageGenerateArgs("a.png", Width: 200, Height: 150, Pattern: pattern, ColorScheme: ColorScheme.Random, Seed: 42));
        var b = await Run(new ImageGenerateArgs("b.png", Width: 200, Height: 150, Pattern: pattern, ColorScheme: ColorScheme.Random, Seed: 42));
        await Run(new ImageGenerateArgs("c.png", Width: 200, Height: 150, Pattern: pattern, ColorScheme: ColorScheme.Random, Seed: 43));

        Assert.Equal(File.ReadAllBytes(_dir.At("a.png")), File.ReadAllBytes(_dir.At("b.png")));
        Assert.NotEqual(File.ReadAllBytes(_dir.At("a.png")), File.ReadAllBytes(_dir.At("c.png")));
        Assert.Equal(a.Bytes, b.Bytes);
        using var png = SKBitmap.Decode(_dir.At("a.png"));
        Assert.Equal((200, 150), (png.Width, png.Height));
        var colours = new HashSet<SKColor>();
        for (var x = 0; x < 200; x += 5)
        {
            for (var y = 0; y < 150; y += 5) colours.Add(png.GetPixel(x, y));
        }
        Assert.True(colours.Count > 2, "shapes should be drawn over the background");
    }

    [Fact]
    public async Task WithoutSeed_ReportsTheSeedUsed_WhichReproducesTheImage()
    {
        var first = await Run(new ImageGenerateArgs("first.png", Width: 80, Height: 60, Pattern: ImagePattern.Circles, ColorScheme: ColorScheme.Random));
        await Run(new ImageGenerateArgs("again.png", Width: 80, Height: 60, Pattern: ImagePattern.Circles, ColorScheme: ColorScheme.Random, Seed: first.Seed));

        Assert.Equal(File.ReadAllBytes(_dir.At("first.png")), File.ReadAllBytes(_dir.At("again.png")));
    }

    [Fact]
    public async Task LargeImage_ReportsProgressPerRowBand()
    {
        await Run(new ImageGenerateArgs("big.png", Width: 400, Height: 400, Seed: 1));

        _dir.AssertProgressCompleted();
        Assert.True(_dir.Progress.Count >= 20, $"expected a report per row band, got {_dir.Progress.Count}");
    }

    [Fact]
    public async Task AboveThePixelLimit_IsRefusedWithTheLimit_AndWritesNothing()
    {
        _dir.Settings.MaxImagePixels = 10_000;

        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new ImageGenerateArgs("huge.png", Width: 101, Height: 100)).AsTask());

        Assert.Contains("10,000 pixels", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxImagePixels", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_dir.AllFiles());
    }

    [Theory]
    [InlineData(-5, 10, "args.width")]
    [InlineData(10, 0, "args.height")]
    public async Task NonPositiveSize_IsRefusedNamingTheField(int width, int height, string field)
    {
        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new ImageGenerateArgs("x.png", width, height)).AsTask());

        Assert.StartsWith(field + ":", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_dir.AllFiles());
    }

    [Fact]
    public async Task UnknownPattern_IsRefused_AndWritesNothing()
    {
        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new ImageGenerateArgs("x.png", 10, 10, (ImagePattern)42)).AsTask());

        Assert.StartsWith("args.pattern:", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_dir.AllFiles());
    }

    [Fact]
    public async Task NotPngName_IsRefused()
    {
        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new ImageGenerateArgs("x.jpg", 10, 10)).AsTask());

        Assert.StartsWith("args.filename:", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../outside/x.png")]
    [InlineData("link/x.png")]
    public async Task PathOutOfTheRoot_IsRefused_AndNothingIsWrittenOutside(string filename)
    {
        Directory.CreateSymbolicLink(_dir.At("link"), _dir.Outside);

        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(new ImageGenerateArgs(filename, 10, 10)).AsTask());

        Assert.StartsWith("args.filename:", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Outside));
    }

    [Fact]
    public async Task CancelledWhileDrawing_StopsAtTheNextBand_AndLeavesNoFile()
    {
        using var cts = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ImageGeneratePlugin(_dir.Options, new ImageMemoryBudget(_dir.Options))
            .ExecuteAsync(new ImageGenerateArgs("c.png", 300, 300, ImagePattern.Stripes, Seed: 1), _dir.CancellingContext("image.generate", cts, reports: 3)).AsTask());

        Assert.Equal(3, _dir.Progress.Count);
        Assert.Empty(_dir.AllFiles());
    }

    [Fact]
    public async Task Cancelled_LeavesNoFile()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(new ImageGenerateArgs("c.png", 200, 200, Seed: 1), cts.Token).AsTask());

        Assert.Empty(_dir.AllFiles());
    }
}
