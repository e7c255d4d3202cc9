using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Nexus.Plugins.Samples;

/// <summary>Arguments of <c>files.zip</c>.</summary>
/// <param name="SourcePaths">Files and folders to pack, relative to the artifacts root, 1–1000 of them. Folders are packed
/// with everything below them. Each entry is named by its path relative to the artifacts root.</param>
/// <param name="OutputFile">The zip file to write, relative to the artifacts root.</param>
/// <param name="CompressionLevel">0–9, like zip(1): 0 stores without compression; 1–3 is
/// <see cref="System.IO.Compression.CompressionLevel.Fastest"/>; 4–6 is
/// <see cref="System.IO.Compression.CompressionLevel.Optimal"/>; 7–9 is
/// <see cref="System.IO.Compression.CompressionLevel.SmallestSize"/>. Default 6.</param>
/// <param name="Compression">The same as <paramref name="CompressionLevel"/> under its shorter name (the one the
/// original examples use); give one of the two.</param>
public sealed record ZipArgs(
    [property: Description("Files and folders to pack, relative to the artifacts root.")]
    [property: MinLength(1), MaxLength(1000), RelativePath]
    IReadOnlyList<string> SourcePaths,
    [property: Description("The zip file to write, relative to the artifacts root.")]
    [property: StringLength(1024, MinimumLength = 1), RelativePath]
    string OutputFile,
    [property: Description("0 stores; 1-3 fastest; 4-6 optimal; 7-9 smallest. Default 6.")]
    [property: Range(0, 9)]
    int? CompressionLevel = null,
    [property: Description("Another name for compressionLevel; give one of the two.")]
    [property: Range(0, 9)]
    int? Compression = null) : IValidatableObject
{
    /// <summary>The level used when neither name is given.</summary>
    public const int DefaultCompressionLevel = 6;

    /// <summary>The 0–9 level to use: whichever name was given, else <see cref="DefaultCompressionLevel"/>.</summary>
    [JsonIgnore]
    public int Level => CompressionLevel ?? Compression ?? DefaultCompressionLevel;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CompressionLevel is { } level && Compression is { } alias && level != alias)
        {
            yield return new ValidationResult(
                $"is another name for compressionLevel, which says {level} while this says {alias}; give only one of them", [nameof(Compression)]);
        }
        if (OutputFile is null || SourcePaths is null) yield break;
        var output = Normal(OutputFile);
        for (var i = 0; i < SourcePaths.Count; i++)
        {
            if (SourcePaths[i] is { } source && Normal(source) == output)
            {
                yield return new ValidationResult(
                    $"entry {i} ('{source}') is the output file itself: a zip cannot pack the file it is being written to; remove it or choose another outputFile", [nameof(SourcePaths)]);
            }
        }
    }

    /// <summary>A relative path as the artifacts root would resolve it, to compare two spellings of one file.</summary>
    private static string Normal(string path) =>
        Path.GetRelativePath("/r", Path.GetFullPath(Path.Join("/r", path.Replace('\\', '/')))).TrimEnd('/');
}

/// <summary>Result of <c>files.zip</c>.</summary>
/// <param name="Path">The zip file, relative to the artifacts root.</param>
/// <param name="Entries">Entries written: files, and empty folders (as <c>name/</c>).</param>
/// <param name="Bytes">The zip file's size.</param>
/// <param name="UncompressedBytes">The packed files' total size.</param>
/// <param name="CompressionLevel">The level the 0–9 value mapped to: <c>NoCompression</c>, <c>Fastest</c>, <c>Optimal</c> or <c>SmallestSize</c>.</param>
/// <param name="Artifact">The zip's copy in the artifact store (the task's folder + its file name: in a workflow
/// <c>runs/&lt;run&gt;/&lt;step&gt;/&lt;file&gt;.zip</c>, downloadable with <c>nexus runs download</c>); null without a store.</param>
public sealed record ZipResult(string Path, int Entries, long Bytes, long UncompressedBytes, string CompressionLevel, string? Artifact = null);
