using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Nexus.Plugins.Samples;

/// <summary>Arguments of <c>files.zip</c>.</summary>
/// <param name="SourcePaths">Files and folders to pack, relative to the artifacts root, 1–1000 of them. Folders are packed
/// with everything below them. Each entry is named by its path relative to the artifacts root.</param>
/// <param name="OutputFile">The zip file to write, relative to the artifacts root.</param>
/// <param name="CompressionLevel">0–9, like zip(1): 0 stores without compression; 1–3 is
/// <see cref="System.IO.Compression.CompressionLevel.Fastest"/>; 4–6 is
/// <see cref="System.IO.Compression.CompressionLevel.Optimal"/>; 7–9 is
/// <see cref="System.IO.Compression.CompressionLevel.SmallestSize"/>. Default 6.</param>
public sealed record ZipArgs(
    [property: Description("Files and folders to pack, relative to the artifacts root.")]
    [property: MinLength(1), MaxLength(1000)]
    IReadOnlyList<string> SourcePaths,
    [property: Description("The zip file to write, relative to the artifacts root.")]
    [property: StringLength(1024, MinimumLength = 1)]
    string OutputFile,
    [property: Description("0 stores; 1-3 fastest; 4-6 optimal; 7-9 smallest.")]
    [property: Range(0, 9)]
    int CompressionLevel = 6);

/// <summary>Result of <c>files.zip</c>.</summary>
/// <param name="Path">The zip file, relative to the artifacts root.</param>
/// <param name="Entries">Entries written: files, and empty folders (as <c>name/</c>).</param>
/// <param name="Bytes">The zip file's size.</param>
/// <param name="UncompressedBytes">The packed files' total size.</param>
/// <param name="CompressionLevel">The level the 0–9 value mapped to: <c>NoCompression</c>, <c>Fastest</c>, <c>Optimal</c> or <c>SmallestSize</c>.</param>
public sealed record ZipResult(string Path, int Entries, long Bytes, long UncompressedBytes, string CompressionLevel);
