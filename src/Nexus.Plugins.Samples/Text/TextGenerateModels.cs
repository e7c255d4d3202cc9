using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Nexus.Plugins.Samples;

/// <summary>Arguments of <c>text.generate</c>.</summary>
/// <param name="Filename">The text file to write, relative to the artifacts root.</param>
/// <param name="Words">How many words, 1–10,000,000. Default 200.</param>
/// <param name="LineWidth">Longest line in characters (without the line break), 10–1000. Default 80.</param>
/// <param name="Seed">Seed for the word choice. Default: a random seed, reported in the result.</param>
public sealed record TextGenerateArgs(
    [property: Description("The text file to write, relative to the artifacts root.")]
    [property: StringLength(1024, MinimumLength = 1), RelativePath]
    string Filename,
    [property: Description("How many words to write.")]
    [property: Range(1, 10_000_000)]
    int Words = 200,
    [property: Description("Longest line in characters, without the line break.")]
    [property: Range(10, 1000)]
    int LineWidth = 80,
    [property: Description("Seed for the word choice; absent means a random seed, reported in the result.")]
    int? Seed = null);

/// <summary>Result of <c>text.generate</c>.</summary>
/// <param name="Path">The file, relative to the artifacts root.</param>
/// <param name="Words">Words written.</param>
/// <param name="Lines">Lines written (each ends with <c>\n</c>).</param>
/// <param name="Bytes">File size (UTF-8, no byte-order mark).</param>
/// <param name="Seed">The seed used.</param>
public sealed record TextGenerateResult(string Path, int Words, int Lines, long Bytes, int Seed);
