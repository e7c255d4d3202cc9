using SkiaSharp;

namespace Nexus.Plugins.Samples;

/// <summary>The palettes behind <see cref="ColorScheme"/>, darkest or first colour first.</summary>
internal static class ColorSchemes
{
    private static readonly SKColor[] Blue = [new(0x0A, 0x1F, 0x44), new(0x1B, 0x4F, 0x8A), new(0x2E, 0x86, 0xDE), new(0x54, 0xA0, 0xFF), new(0x8F, 0xD3, 0xFE)];
    private static readonly SKColor[] Red = [new(0x3D, 0x00, 0x00), new(0x7A, 0x0A, 0x0A), new(0xC0, 0x39, 0x2B), new(0xE7, 0x4C, 0x3C), new(0xFF, 0x9F, 0x9A)];
    private static readonly SKColor[] Green = [new(0x0B, 0x3D, 0x0B), new(0x1E, 0x6F, 0x1E), new(0x27, 0xAE, 0x60), new(0x2E, 0xCC, 0x71), new(0xA8, 0xE6, 0xA1)];
    private static readonly SKColor[] Rainbow = [new(0xFF, 0x00, 0x00), new(0xFF, 0x7F, 0x00), new(0xFF, 0xFF, 0x00), new(0x00, 0xFF, 0x00), new(0x00, 0x00, 0xFF), new(0x4B, 0x00, 0x82), new(0x94, 0x00, 0xD3)];

    /// <summary>The palette of <paramref name="scheme"/>; <see cref="ColorScheme.Random"/> draws five colours from <paramref name="random"/>.</summary>
    public static SKColor[] Palette(ColorScheme scheme, Random random) => scheme switch
    {
        ColorScheme.Blue => [.. Blue],
        ColorScheme.Red => [.. Red],
        ColorScheme.Green => [.. Green],
        ColorScheme.Rainbow => [.. Rainbow],
        ColorScheme.Random => [.. Enumerable.Range(0, 5).Select(_ => new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)))],
        _ => throw new PermanentTaskException($"args.colorScheme: unknown colour scheme '{scheme}'; use blue, red, green, rainbow or random."),
    };

    /// <summary>The colour at <paramref name="t"/> (0–1) along evenly spaced stops.</summary>
    public static SKColor Blend(SKColor[] stops, double t)
    {
        if (stops.Length == 1) return stops[0];
        var position = Math.Clamp(t, 0, 1) * (stops.Length - 1);
        var index = Math.Min((int)position, stops.Length - 2);
        var f = position - index;
        var (a, b) = (stops[index], stops[index + 1]);
        return new SKColor(Lerp(a.Red, b.Red, f), Lerp(a.Green, b.Green, f), Lerp(a.Blue, b.Blue, f));
    }

    private static byte Lerp(byte a, byte b, double f) => (byte)Math.Round(a + ((b - a) * f));
}
