namespace Nexus.Plugins.Samples;

/// <summary>Settings shared by the sample plugins. Every path a plugin reads or writes is confined to
/// <see cref="ArtifactsRoot"/>; the limits keep one task from taking the machine's memory.</summary>
public sealed class SamplePluginsOptions
{
    /// <summary>The folder every plugin path is relative to. Nothing outside it is read or written.
    /// A relative value is resolved against the current directory at registration. Default <c>./generated</c>.</summary>
    public string ArtifactsRoot { get; set; } = "./generated";

    /// <summary>Largest image (width × height) <c>image.generate</c> and <c>pattern.draw</c> will render;
    /// an image takes 4 bytes a pixel in memory. Default 67,108,864 (64 Mi pixels, 8192 × 8192, 256 MiB).</summary>
    public long MaxImagePixels { get; set; } = 64L * 1024 * 1024;

    /// <summary>Most pixels all image tasks of this process hold at once: an image task waits for room before it
    /// allocates (an image larger than the whole budget runs alone). Default 134,217,728 (128 Mi pixels, 512 MiB).</summary>
    public long MaxImagePixelsInFlight { get; set; } = 128L * 1024 * 1024;

    /// <summary>Largest input file <c>text.wordcount</c> and <c>data.mapreduce</c> will read, in bytes.
    /// Map-reduce holds its input in memory. Default 256 MiB.</summary>
    public long MaxInputBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Most entries (words, groups) a result returned to the engine lists; the file a plugin writes
    /// always holds them all. Keeps stored task results small. Default 1000.</summary>
    public int MaxResultEntries { get; set; } = 1000;

    internal IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(ArtifactsRoot)) yield return "SamplePlugins:ArtifactsRoot must not be empty.";
        if (MaxImagePixels < 1) yield return $"SamplePlugins:MaxImagePixels must be positive (was {MaxImagePixels}).";
        if (MaxImagePixelsInFlight < 1) yield return $"SamplePlugins:MaxImagePixelsInFlight must be positive (was {MaxImagePixelsInFlight}).";
        if (MaxInputBytes < 1) yield return $"SamplePlugins:MaxInputBytes must be positive (was {MaxInputBytes}).";
        if (MaxResultEntries < 1) yield return $"SamplePlugins:MaxResultEntries must be positive (was {MaxResultEntries}).";
    }
}
