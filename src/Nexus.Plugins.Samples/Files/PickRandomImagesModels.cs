using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Nexus.Plugins.Samples;

/// <summary>Arguments of <c>images.pick-random</c>.</summary>
/// <param name="SourceDir">The folder to pick from, relative to the artifacts root (<c>.</c> for the root). Only its own files are candidates, not those of subfolders.</param>
/// <param name="CopyTo">The folder to copy the picked files into, relative to the artifacts root; created if needed. Files of the same name are replaced.</param>
/// <param name="Count">How many to pick, 1–10,000. Default 1. Fewer are picked when fewer exist.</param>
/// <param name="Extensions">File extensions that count as images, case-insensitive, with or without the dot, 1–32 of them.
/// Default png, jpg, jpeg, gif, webp.</param>
/// <param name="Seed">Seed for the choice; the same seed over the same files picks the same ones. Default: a random seed, reported in the result.</param>
public sealed record PickRandomImagesArgs(
    [property: Description("The folder to pick from, relative to the artifacts root.")]
    [property: StringLength(1024, MinimumLength = 1), RelativePath]
    string SourceDir,
    [property: Description("The folder to copy the picked files into, relative to the artifacts root.")]
    [property: StringLength(1024, MinimumLength = 1), RelativePath]
    string CopyTo,
    [property: Description("How many files to pick.")]
    [property: Range(1, 10_000)]
    int Count = 1,
    [property: Description("File extensions that count as images. Default png, jpg, jpeg, gif, webp.")]
    [property: MinLength(1), MaxLength(32)]
    IReadOnlyList<string>? Extensions = null,
    [property: Description("Seed for the choice; absent means a random seed, reported in the result.")]
    int? Seed = null);

/// <summary>One picked file.</summary>
/// <param name="Source">The original, relative to the artifacts root.</param>
/// <param name="Copy">The copy, relative to the artifacts root.</param>
/// <param name="Bytes">Its size.</param>
public sealed record PickedFile(string Source, string Copy, long Bytes);

/// <summary>Result of <c>images.pick-random</c>.</summary>
/// <param name="Available">Matching files in the source folder.</param>
/// <param name="Picked">The files picked and copied, in the order picked.</param>
/// <param name="Seed">The seed used.</param>
public sealed record PickRandomImagesResult(int Available, IReadOnlyList<PickedFile> Picked, int Seed);
