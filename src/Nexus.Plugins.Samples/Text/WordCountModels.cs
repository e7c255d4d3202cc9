using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Nexus.Plugins.Samples;

/// <summary>Arguments of <c>text.wordcount</c>.</summary>
/// <param name="InputFile">The text file to count, relative to the artifacts root (UTF-8, or UTF-16/32 with a byte-order mark).
/// At most <see cref="SamplePluginsOptions.MaxInputBytes"/> bytes.</param>
/// <param name="Top">How many of the most frequent words to list, 1–1000. Default 10.</param>
public sealed record WordCountArgs(
    [property: Description("The text file to count, relative to the artifacts root.")]
    [property: StringLength(1024, MinimumLength = 1), RelativePath]
    string InputFile,
    [property: Description("How many of the most frequent words to list.")]
    [property: Range(1, 1000)]
    int Top = 10);

/// <summary>A word and how often it occurs.</summary>
/// <param name="Word">The word, lower-cased.</param>
/// <param name="Count">Its occurrences.</param>
public sealed record WordFrequency(string Word, long Count);

/// <summary>Result of <c>text.wordcount</c>. Words follow the rule documented in docs/plugins.md: runs of letters,
/// digits and apostrophes, case-insensitive.</summary>
/// <param name="InputFile">The file counted, relative to the artifacts root.</param>
/// <param name="Total">All words, repeats included.</param>
/// <param name="Unique">Distinct words.</param>
/// <param name="Top">The most frequent words, highest count first, ties by word.</param>
public sealed record WordCountResult(string InputFile, long Total, int Unique, IReadOnlyList<WordFrequency> Top);
