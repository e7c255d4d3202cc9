using System.IO.Compression;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Nexus.Plugins.Samples;

/// <summary><c>files.zip</c>: packs files and folders under the artifacts root into a zip file. Entries are named by
/// their path relative to the root (forward slashes), in name order; a file reached twice is packed once; the
/// output file itself is never packed. Links inside the folders are followed only while they stay inside the root.</summary>
[TaskPlugin("files.zip", Description = "Packs files and folders under the artifacts root into a zip file (compression level 0-9).", Version = "1.0.0")]
public sealed class ZipPlugin(IOptions<SamplePluginsOptions> options) : ITaskPlugin<ZipArgs, ZipResult>
{
    /// <summary>Maps zip(1)'s 0–9 onto the four levels System.IO.Compression has.</summary>
    internal static CompressionLevel MapLevel(int level) => level switch
    {
        0 => CompressionLevel.NoCompression,
        >= 1 and <= 3 => CompressionLevel.Fastest,
        >= 4 and <= 6 => CompressionLevel.Optimal,
        >= 7 and <= 9 => CompressionLevel.SmallestSize,
        _ => throw new PermanentTaskException($"args.compressionLevel: must be between 0 and 9 (was {level})."),
    };

    /// <summary>A file or empty folder to pack: its entry name and where its bytes are.</summary>
    private sealed record Entry(string Name, string RealPath, bool IsFolder, long Length);

    /// <inheritdoc />
    public async ValueTask<ZipResult> ExecuteAsync(ZipArgs args, TaskContext context)
    {
        var ct = context.CancellationToken;
        var level = MapLevel(args.Level);
        if (args.SourcePaths is null || args.SourcePaths.Count == 0) throw new PermanentTaskException("args.sourcePaths: give at least one file or folder.");
        var root = ArtifactPaths.CanonicalRoot(options.Value.ArtifactsRoot);
        var outputPath = ArtifactPaths.Resolve(root, args.OutputFile, "args.outputFile");
        var entries = Collect(root, args.SourcePaths, outputPath, ct);
        var totalBytes = entries.Sum(e => e.Length);

        var bytes = await AtomicOutput.WriteFileAsync(outputPath, "args.outputFile", async (stream, token) =>
        {
            await using var archive = await ZipArchive.CreateAsync(stream, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, token);
            long packed = 0;
            for (var i = 0; i < entries.Count; i++)
            {
                token.ThrowIfCancellationRequested();
                var entry = entries[i];
                var zipEntry = archive.CreateEntry(entry.Name, level);
                zipEntry.LastWriteTime = ZipTime(entry.IsFolder ? Directory.GetLastWriteTimeUtc(entry.RealPath) : File.GetLastWriteTimeUtc(entry.RealPath));
                if (!entry.IsFolder)
                {
                    await using var target = await zipEntry.OpenAsync(token);
                    await using var source = new FileStream(entry.RealPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                    await source.CopyToAsync(target, token);
                    packed += entry.Length;
                }
                var fraction = totalBytes > 0 ? (double)packed / totalBytes : (double)(i + 1) / entries.Count;
                await context.ReportProgressAsync(0.99 * fraction, $"packed {i + 1} of {entries.Count}: {entry.Name}");
            }
        }, ct);

        var relative = ArtifactPaths.ToRelative(root, outputPath);
        string? artifact = null;
        if (context.HasArtifacts && Nexus.Artifacts.ArtifactName.Problem(Path.GetFileName(outputPath)) is null)
        {
            // The zip is also the task's artifact, so the API and `nexus runs download` can hand it out.
            await using var zip = new FileStream(outputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            artifact = (await context.Artifacts.WriteAsync(Path.GetFileName(outputPath), zip, ct)).Name;
        }
        await context.ReportProgressAsync(1, "written");
        context.Logger.LogInformation("Packed {Entries} entries ({Bytes} bytes) into {Path}.", entries.Count, totalBytes, relative);
        return new ZipResult(relative, entries.Count, bytes, totalBytes, level.ToString(), artifact);
    }

    /// <summary>Every entry to pack, in order, each confined to the root.</summary>
    private static List<Entry> Collect(string root, IReadOnlyList<string> sourcePaths, string outputPath, CancellationToken ct)
    {
        var entries = new List<Entry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sourcePaths.Count; i++)
        {
            var argName = $"args.sourcePaths[{i}]";
            var real = ArtifactPaths.Resolve(root, sourcePaths[i], argName);
            if (Directory.Exists(real))
            {
                var logical = Path.GetFullPath(Path.Join(root, sourcePaths[i]));
                Walk(root, logical, real, argName, outputPath, entries, seen, new HashSet<string>(StringComparer.Ordinal), ct);
            }
            else if (string.Equals(real, outputPath, StringComparison.Ordinal))
            {
                // Another spelling (a link) of the output file: packing the previous zip into the new one is never meant.
                throw new PermanentTaskException($"{argName}: '{sourcePaths[i]}' is the output file itself; a zip cannot pack the file it is being written to.");
            }
            else if (File.Exists(real))
            {
                Add(entries, seen, new Entry(ArtifactPaths.ToRelative(root, Path.GetFullPath(Path.Join(root, sourcePaths[i]))), real, false, new FileInfo(real).Length));
            }
            else
            {
                throw new PermanentTaskException($"{argName}: '{sourcePaths[i]}' does not exist under the artifacts root.");
            }
        }
        return entries;
    }

    private static void Walk(string root, string logical, string real, string argName, string outputPath, List<Entry> entries, HashSet<string> seen, HashSet<string> onPath, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (!onPath.Add(real)) return; // a link back to a folder being walked: packing it again would never end
        var children = Directory.EnumerateFileSystemEntries(real).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (children.Count == 0 && !string.Equals(real, root, StringComparison.Ordinal))
        {
            Add(entries, seen, new Entry(ArtifactPaths.ToRelative(root, logical) + "/", real, true, 0));
        }
        foreach (var name in children)
        {
            var childLogical = Path.Join(logical, name);
            var childReal = ArtifactPaths.Confine(root, Path.Join(real, name), argName, ArtifactPaths.ToRelative(root, childLogical));
            if (string.Equals(childReal, outputPath, StringComparison.Ordinal) || IsTemporary(name!)) continue;
            if (Directory.Exists(childReal)) Walk(root, childLogical, childReal, argName, outputPath, entries, seen, onPath, ct);
            else if (File.Exists(childReal)) Add(entries, seen, new Entry(ArtifactPaths.ToRelative(root, childLogical), childReal, false, new FileInfo(childReal).Length));
        }
        onPath.Remove(real);
    }

    private static void Add(List<Entry> entries, HashSet<string> seen, Entry entry)
    {
        if (seen.Add(entry.Name)) entries.Add(entry);
    }

    /// <summary>Another task's output being written (see <see cref="AtomicOutput"/>): never packed.</summary>
    private static bool IsTemporary(string name) => name.StartsWith('.') && name.EndsWith(".partial", StringComparison.Ordinal);

    /// <summary>Zip stores local times from 1980 to 2107; anything else is clamped.</summary>
    private static DateTimeOffset ZipTime(DateTime utc)
    {
        var min = new DateTimeOffset(1980, 1, 2, 0, 0, 0, TimeSpan.Zero);
        var max = new DateTimeOffset(2107, 12, 30, 0, 0, 0, TimeSpan.Zero);
        var value = new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        return value < min ? min : value > max ? max : value;
    }
}
