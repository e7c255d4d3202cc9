using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Nexus.Plugins.Samples;

/// <summary><c>images.pick-random</c>: picks image files at random from a folder and copies them to another.
/// Candidates are sorted by name before a seeded shuffle, so the same seed over the same files picks the same ones.
/// The copies appear together when all are written, or not at all.</summary>
[TaskPlugin("images.pick-random", Description = "Picks image files at random (seeded) from a folder and copies them to another folder.", Version = "1.0.0")]
public sealed class PickRandomImagesPlugin(IOptions<SamplePluginsOptions> options) : ITaskPlugin<PickRandomImagesArgs, PickRandomImagesResult>
{
    /// <summary>Extensions used when the args give none.</summary>
    public static IReadOnlyList<string> DefaultExtensions { get; } = ["png", "jpg", "jpeg", "gif", "webp"];

    /// <inheritdoc />
    public async ValueTask<PickRandomImagesResult> ExecuteAsync(PickRandomImagesArgs args, TaskContext context)
    {
        var ct = context.CancellationToken;
        if (args.Count is < 1 or > 10_000) throw new PermanentTaskException($"args.count: must be between 1 and 10000 (was {args.Count}).");
        var extensions = Extensions(args.Extensions ?? DefaultExtensions);
        var root = ArtifactPaths.CanonicalRoot(options.Value.ArtifactsRoot);
        var source = ArtifactPaths.Resolve(root, args.SourceDir, "args.sourceDir");
        if (!Directory.Exists(source)) throw new PermanentTaskException($"args.sourceDir: '{args.SourceDir}' is not a folder under the artifacts root.");
        var target = ArtifactPaths.Resolve(root, args.CopyTo, "args.copyTo");
        if (File.Exists(target)) throw new PermanentTaskException($"args.copyTo: '{args.CopyTo}' is a file, not a folder.");

        var candidates = Directory.EnumerateFiles(source)
            .Where(f => extensions.Contains(Path.GetExtension(f).TrimStart('.')))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (candidates.Count == 0)
        {
            throw new PermanentTaskException($"args.sourceDir: '{args.SourceDir}' has no files with the extensions {string.Join(", ", extensions.Order(StringComparer.Ordinal))}.");
        }
        var seed = Seeds.Resolve(args.Seed);
        var chosen = Pick(candidates, Math.Min(args.Count, candidates.Count), new Random(seed));

        var picked = new List<PickedFile>(chosen.Count);
        using var output = new AtomicOutput();
        for (var i = 0; i < chosen.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var name = Path.GetFileName(chosen[i]);
            // A candidate may be a link; copying it must not read a file outside the root.
            var real = ArtifactPaths.Confine(root, chosen[i], "args.sourceDir", ArtifactPaths.ToRelative(root, chosen[i]));
            var final = Path.Join(target, name);
            var temp = output.Stage(final, "args.copyTo");
            await using (var from = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            await using (var to = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await from.CopyToAsync(to, ct);
            }
            picked.Add(new PickedFile(ArtifactPaths.ToRelative(root, chosen[i]), ArtifactPaths.ToRelative(root, final), new FileInfo(temp).Length));
            await context.ReportProgressAsync(0.99 * (i + 1) / chosen.Count, $"copied {i + 1} of {chosen.Count}");
        }
        output.Commit();
        await context.ReportProgressAsync(1, "copied");
        context.Logger.LogInformation("Picked {Picked} of {Available} images from {Source}.", picked.Count, candidates.Count, args.SourceDir);
        return new PickRandomImagesResult(candidates.Count, picked, seed);
    }

    private static HashSet<string> Extensions(IReadOnlyList<string> given)
    {
        if (given.Count == 0) throw new PermanentTaskException("args.extensions: give at least one extension, or leave it out for the default.");
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < given.Count; i++)
        {
            var extension = given[i]?.TrimStart('.') ?? "";
            if (extension.Length == 0 || extension.Length > 16 || !extension.All(char.IsAsciiLetterOrDigit))
            {
                throw new PermanentTaskException($"args.extensions[{i}]: '{given[i]}' is not an extension; use letters and digits such as png.");
            }
            set.Add(extension);
        }
        return set;
    }

    /// <summary>The first <paramref name="count"/> items of a seeded Fisher–Yates shuffle.</summary>
    private static List<string> Pick(List<string> candidates, int count, Random random)
    {
        var pool = candidates.ToArray();
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, pool.Length);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return [.. pool.Take(count)];
    }
}
