using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Nexus.Plugins.Samples;

/// <summary>The picture <c>image.generate</c> draws.</summary>
public enum ImagePattern
{
    /// <summary>A left-to-right blend through the scheme's colours: column 0 is the first colour, the last column the last.</summary>
    Gradient,
    /// <summary>Random filled circles on the scheme's first colour.</summary>
    Circles,
    /// <summary>Random filled squares on the scheme's first colour.</summary>
    Squares,
    /// <summary>Diagonal stripes cycling through the scheme's colours, starting with the first at the top-left corner.</summary>
    Stripes,
}

/// <summary>The colours <c>image.generate</c> uses.</summary>
public enum ColorScheme
{
    /// <summary>Navy to sky blue.</summary>
    Blue,
    /// <summary>Dark red to pink.</summary>
    Red,
    /// <summary>Dark green to pale green.</summary>
    Green,
    /// <summary>Red, orange, yellow, green, blue, indigo, violet.</summary>
    Rainbow,
    /// <summary>Five colours drawn from the seed.</summary>
    Random,
}

/// <summary>Arguments of <c>image.generate</c>.</summary>
/// <param name="Filename">The PNG to write, relative to the artifacts root; must end in <c>.png</c>. Folders are created.</param>
/// <param name="Width">Width in pixels, 1–16384. Default 512. Width × height is also bounded by <see cref="SamplePluginsOptions.MaxImagePixels"/>.</param>
/// <param name="Height">Height in pixels, 1–16384. Default 512.</param>
/// <param name="Pattern">What to draw. Default <see cref="ImagePattern.Gradient"/>.</param>
/// <param name="ColorScheme">Which colours. Default <see cref="Samples.ColorScheme.Blue"/>.</param>
/// <param name="Seed">Seed for the random parts; the same seed gives the same image. Default: a random seed, reported in the result.</param>
public sealed record ImageGenerateArgs(
    [property: Description("The PNG to write, relative to the artifacts root; must end in .png.")]
    [property: StringLength(1024, MinimumLength = 1), RelativePath(".png")]
    string Filename,
    [property: Description("Width in pixels.")]
    [property: Range(1, 16384)]
    int Width = 512,
    [property: Description("Height in pixels.")]
    [property: Range(1, 16384)]
    int Height = 512,
    [property: Description("What to draw.")]
    ImagePattern Pattern = ImagePattern.Gradient,
    [property: Description("Which colours.")]
    ColorScheme ColorScheme = ColorScheme.Blue,
    [property: Description("Seed for the random parts; absent means a random seed, reported in the result.")]
    int? Seed = null);

/// <summary>Result of <c>image.generate</c>.</summary>
/// <param name="Path">The PNG, relative to the artifacts root, with forward slashes.</param>
/// <param name="Width">Its width in pixels.</param>
/// <param name="Height">Its height in pixels.</param>
/// <param name="Bytes">Its file size.</param>
/// <param name="Seed">The seed used; pass it back to draw the same image again.</param>
public sealed record ImageGenerateResult(string Path, int Width, int Height, long Bytes, int Seed);
