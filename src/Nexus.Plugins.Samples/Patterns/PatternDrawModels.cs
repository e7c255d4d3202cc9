using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Nexus.Plugins.Samples;

/// <summary>A layer <c>pattern.draw</c> can paint.</summary>
public enum DrawPattern
{
    /// <summary>Square cells alternating the first two colours, the top-left cell in the first; cells are
    /// min(width, height) / (2 × complexity) pixels wide.</summary>
    Checkerboard,
    /// <summary>An Archimedean spiral from the centre with 2 + complexity turns.</summary>
    Spiral,
    /// <summary>2 + 2 × complexity sine waves across the picture.</summary>
    Waves,
    /// <summary>Rings of petals with 6 + complexity-fold symmetry.</summary>
    Mandala,
    /// <summary>A honeycomb of filled hexagons.</summary>
    Hexagons,
    /// <summary>A branching fractal tree, 3 + complexity levels deep.</summary>
    Fractals,
}

/// <summary>Arguments of <c>pattern.draw</c>.</summary>
/// <param name="Filename">The PNG to write, relative to the artifacts root; must end in <c>.png</c>. Default
/// <c>patterns/task-&lt;task id&gt;.png</c> (<see cref="PatternDrawPlugin.DefaultFilename"/>); the result names the file.</param>
/// <param name="Width">Width in pixels, 1–16384. Default 512. Width × height is also bounded by <see cref="SamplePluginsOptions.MaxImagePixels"/>.</param>
/// <param name="Height">Height in pixels, 1–16384. Default 512.</param>
/// <param name="Patterns">Layers painted in order, 1–16 of them; the first opaque, each later one at 60% opacity. Default <c>[checkerboard]</c>.</param>
/// <param name="Colors">Colours as <c>#rrggbb</c> or <c>#rgb</c>, 1–32 of them; the canvas starts filled with the first.
/// Default <c>#1d3557, #e63946, #f1faee, #a8dadc, #457b9d</c>.</param>
/// <param name="Complexity">Detail, 1–10 (cell counts, turns, depth). Default 5.</param>
/// <param name="Seed">Seed for the random parts. Default: a random seed, reported in the result.</param>
public sealed record PatternDrawArgs(
    [property: Description("The PNG to write, relative to the artifacts root; must end in .png. Default patterns/task-<task id>.png.")]
    [property: StringLength(1024, MinimumLength = 1), RelativePath(".png")]
    string? Filename = null,
    [property: Description("Width in pixels.")]
    [property: Range(1, 16384)]
    int Width = 512,
    [property: Description("Height in pixels.")]
    [property: Range(1, 16384)]
    int Height = 512,
    [property: Description("Layers painted in order: the first opaque, each later one at 60% opacity. Default [checkerboard].")]
    [property: MinLength(1), MaxLength(16)]
    IReadOnlyList<DrawPattern>? Patterns = null,
    [property: Description("Colours as #rrggbb or #rgb; the canvas starts filled with the first. Default #1d3557, #e63946, #f1faee, #a8dadc, #457b9d.")]
    [property: MinLength(1), MaxLength(32), HexColorList]
    IReadOnlyList<string>? Colors = null,
    [property: Description("Detail, 1 to 10.")]
    [property: Range(1, 10)]
    int Complexity = 5,
    [property: Description("Seed for the random parts; absent means a random seed, reported in the result.")]
    int? Seed = null);

/// <summary>Result of <c>pattern.draw</c>.</summary>
/// <param name="Path">The PNG, relative to the artifacts root, with forward slashes.</param>
/// <param name="Width">Its width in pixels.</param>
/// <param name="Height">Its height in pixels.</param>
/// <param name="Bytes">Its file size.</param>
/// <param name="Patterns">The layers drawn, in order.</param>
/// <param name="Seed">The seed used.</param>
public sealed record PatternDrawResult(string Path, int Width, int Height, long Bytes, IReadOnlyList<DrawPattern> Patterns, int Seed);
