using System.Globalization;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace Nexus.Plugins.Samples;

/// <summary>What the image plugins share: the size bound, the bitmap they draw on and PNG output.</summary>
internal static class PngImages
{
    /// <summary>Refuses sizes below 1 or above <paramref name="maxPixels"/> (width × height), naming the limit.</summary>
    public static void CheckSize(int width, int height, long maxPixels)
    {
        if (width < 1) throw new PermanentTaskException($"args.width: must be at least 1 (was {width}).");
        if (height < 1) throw new PermanentTaskException($"args.height: must be at least 1 (was {height}).");
        var pixels = (long)width * height;
        if (pixels > maxPixels)
        {
            throw new PermanentTaskException(string.Create(CultureInfo.InvariantCulture,
                $"args.width × args.height: {width} × {height} = {pixels:N0} pixels is above the limit of {maxPixels:N0} pixels (SamplePlugins:MaxImagePixels)."));
        }
    }

    /// <summary>Refuses an output name that does not end in <c>.png</c>.</summary>
    public static void CheckPngName(string filename, string argName)
    {
        if (!filename.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            throw new PermanentTaskException($"{argName}: '{filename}' must end in .png.");
        }
    }

    /// <summary>An opaque RGBA bitmap.</summary>
    public static SKBitmap NewBitmap(int width, int height) =>
        new(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));

    /// <summary>Copies one row of RGBA bytes into the bitmap.</summary>
    public static void WriteRow(SKBitmap bitmap, int y, byte[] rgba) =>
        Marshal.Copy(rgba, 0, bitmap.GetPixels() + (nint)y * bitmap.RowBytes, bitmap.Width * 4);

    /// <summary>Puts one colour into a row buffer at column <paramref name="x"/>.</summary>
    public static void Put(byte[] rgba, int x, SKColor color)
    {
        var i = x * 4;
        rgba[i] = color.Red;
        rgba[i + 1] = color.Green;
        rgba[i + 2] = color.Blue;
        rgba[i + 3] = 255;
    }

    /// <summary>Encodes the bitmap as PNG into <paramref name="finalPath"/> atomically; returns the file size.</summary>
    public static Task<long> SaveAsync(SKBitmap bitmap, string finalPath, string argName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return AtomicOutput.WriteFileAsync(finalPath, argName, async (stream, ct) =>
        {
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
                ?? throw new InvalidOperationException("SkiaSharp could not encode the image as PNG.");
            await using var source = data.AsStream();
            await source.CopyToAsync(stream, ct);
        }, cancellationToken);
    }

    /// <summary>How many rows make one progress band: about 20 reports per image.</summary>
    public static int BandRows(int height) => Math.Max(1, height / 20);
}
