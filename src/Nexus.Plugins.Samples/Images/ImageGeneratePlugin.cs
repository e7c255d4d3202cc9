using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace Nexus.Plugins.Samples;

/// <summary><c>image.generate</c>: draws a gradient, circles, squares or stripes in a colour scheme and writes a PNG.
/// The same args and seed give the same image.</summary>
[TaskPlugin("image.generate", Description = "Draws a gradient, circles, squares or stripes in a colour scheme and writes a PNG.", Version = "1.0.0")]
public sealed class ImageGeneratePlugin(IOptions<SamplePluginsOptions> options, ImageMemoryBudget memory) : ITaskPlugin<ImageGenerateArgs, ImageGenerateResult>
{
    /// <inheritdoc />
    public async ValueTask<ImageGenerateResult> ExecuteAsync(ImageGenerateArgs args, TaskContext context)
    {
        var settings = options.Value;
        PngImages.CheckSize(args.Width, args.Height, settings.MaxImagePixels);
        PngImages.CheckPngName(args.Filename, "args.filename");
        var root = ArtifactPaths.CanonicalRoot(settings.ArtifactsRoot);
        var path = ArtifactPaths.Resolve(root, args.Filename, "args.filename");
        var seed = Seeds.Resolve(args.Seed);
        var random = new Random(seed);
        var palette = ColorSchemes.Palette(args.ColorScheme, random);

        using var reserved = await memory.ReserveAsync((long)args.Width * args.Height, context.CancellationToken);
        using var bitmap = PngImages.NewBitmap(args.Width, args.Height);
        switch (args.Pattern)
        {
            case ImagePattern.Gradient:
                await FillRowsAsync(bitmap, context, (x, _) => ColorSchemes.Blend(palette, args.Width == 1 ? 0 : (double)x / (args.Width - 1)));
                break;
            case ImagePattern.Stripes:
                var stripe = Math.Max(2, Math.Min(args.Width, args.Height) / random.Next(6, 16));
                await FillRowsAsync(bitmap, context, (x, y) => palette[(x + y) / stripe % palette.Length]);
                break;
            case ImagePattern.Circles:
            case ImagePattern.Squares:
                await DrawShapesAsync(bitmap, args.Pattern, palette, random, context);
                break;
            default:
                throw new PermanentTaskException($"args.pattern: unknown pattern '{args.Pattern}'; use gradient, circles, squares or stripes.");
        }

        var bytes = await PngImages.SaveAsync(bitmap, path, "args.filename", context.CancellationToken);
        await context.ReportProgressAsync(1, "written");
        var relative = ArtifactPaths.ToRelative(root, path);
        context.Logger.LogInformation("Drew a {Width}x{Height} {Pattern} image into {Path} ({Bytes} bytes).", args.Width, args.Height, args.Pattern, relative, bytes);
        return new ImageGenerateResult(relative, args.Width, args.Height, bytes, seed);
    }

    /// <summary>Computes every pixel, a row at a time, reporting progress per band of rows (90% of the work; encoding is the rest).</summary>
    private static async ValueTask FillRowsAsync(SKBitmap bitmap, TaskContext context, Func<int, int, SKColor> colorAt)
    {
        var row = new byte[bitmap.Width * 4];
        var band = PngImages.BandRows(bitmap.Height);
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++) PngImages.Put(row, x, colorAt(x, y));
            PngImages.WriteRow(bitmap, y, row);
            if ((y + 1) % band == 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                await context.ReportProgressAsync(0.9 * (y + 1) / bitmap.Height, "drawing");
            }
        }
    }

    private static async ValueTask DrawShapesAsync(SKBitmap bitmap, ImagePattern pattern, SKColor[] palette, Random random, TaskContext context)
    {
        var (width, height) = (bitmap.Width, bitmap.Height);
        var count = (int)Math.Clamp((long)width * height / 4000, 8, 4000);
        var smaller = Math.Min(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(palette[0]);
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        var band = Math.Max(1, count / 20);
        for (var i = 0; i < count; i++)
        {
            paint.Color = palette[1 + random.Next(palette.Length - 1)].WithAlpha((byte)random.Next(160, 256));
            var (cx, cy) = (random.Next(width), random.Next(height));
            var size = Math.Max(1, smaller * random.Next(2, 12) / 100f);
            if (pattern == ImagePattern.Circles) canvas.DrawCircle(cx, cy, size, paint);
            else canvas.DrawRect(cx - size, cy - size, 2 * size, 2 * size, paint);
            if ((i + 1) % band == 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                await context.ReportProgressAsync(0.9 * (i + 1) / count, "drawing");
            }
        }
        canvas.Flush();
    }
}
