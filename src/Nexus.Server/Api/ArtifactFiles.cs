using Nexus.Plugins;
using Nexus.Plugins.Samples;

namespace Nexus.Server.Api;

/// <summary>
/// The files under the artifacts root, read-only, through the sample plugins' own confinement (<see cref="ArtifactPaths"/>):
/// no empty, absolute or <c>..</c> path, and no symbolic link leading out of the root, for a listing as for a download.
/// Files being written (the plugins' hidden <c>.name.&lt;guid&gt;.partial</c> temporaries) are never shown.
/// </summary>
internal sealed class ArtifactFiles(string root)
{
    private static readonly EnumerationOptions Walk = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.None,
        ReturnSpecialDirectories = false,
    };

    /// <summary>The canonical root (links resolved); created if missing, as the plugins do.</summary>
    public string Root { get; } = ArtifactPaths.CanonicalRoot(root);

    /// <summary>Up to <paramref name="limit"/> files whose relative path starts with <paramref name="prefix"/> and sorts
    /// after <paramref name="after"/>, in ordinal order, and the cursor of the next page (null on the last). Memory
    /// stays bounded by the page, however many files there are.</summary>
    /// <exception cref="ApiProblemException">400 naming <c>prefix</c> or <c>after</c> for a path that may not be asked for.</exception>
    public (IReadOnlyList<FileInfo> Files, IReadOnlyList<string> Paths, string? Next) List(string prefix, string? after, int limit)
    {
        if (prefix.Length > 0 && ArtifactPaths.Problem(prefix) is { } problem) throw ApiProblemException.Invalid("prefix", problem);
        if (after is not null && ArtifactPaths.Problem(after) is { } afterProblem) throw ApiProblemException.Invalid("after", afterProblem);
        var cut = prefix.LastIndexOf('/');
        var folderPath = cut < 0 ? Root : Confine(prefix[..cut], "prefix");
        if (!Directory.Exists(folderPath)) return ([], [], null);

        // The smallest limit + 1 paths past the cursor: one more than the page tells whether another page follows.
        var page = new SortedSet<string>(StringComparer.Ordinal);
        var logicalFolder = cut < 0 ? "" : prefix[..(cut + 1)];
        foreach (var file in Directory.EnumerateFiles(folderPath, "*", Walk))
        {
            var relative = logicalFolder + ArtifactPaths.ToRelative(folderPath, file);
            if (!relative.StartsWith(prefix, StringComparison.Ordinal) || IsTemporary(Path.GetFileName(file))) continue;
            if (after is not null && string.CompareOrdinal(relative, after) <= 0) continue;
            page.Add(relative);
            if (page.Count > limit + 1) page.Remove(page.Max!);
        }

        var files = new List<FileInfo>(limit);
        var paths = new List<string>(limit);
        foreach (var relative in page.Take(limit))
        {
            // A link whose target is outside the root (or gone) is not the root's file: it is left out.
            var real = TryResolve(relative);
            if (real is null || !File.Exists(real)) continue;
            files.Add(new FileInfo(real));
            paths.Add(relative);
        }
        // The cursor is the last path looked at, listed or not: a page of links out of the root still moves on.
        return (files, paths, page.Count > limit ? page.Take(limit).Last() : null);
    }

    /// <summary>The real path of the file at <paramref name="relative"/>.</summary>
    /// <exception cref="ApiProblemException">400 naming <c>path</c> for a path that may not be asked for; 404 when there is no such file.</exception>
    public string Find(string relative)
    {
        var real = Confine(relative, "path");
        if (Directory.Exists(real))
        {
            throw ApiProblemException.NotFound($"'{QueryValues.Shorten(relative)}' is a folder under the artifacts root; list it with GET /api/v1/artifacts?prefix={Uri.EscapeDataString(relative.TrimEnd('/') + "/")}.");
        }
        if (!File.Exists(real) || IsTemporary(Path.GetFileName(real)))
        {
            throw ApiProblemException.NotFound($"No file '{QueryValues.Shorten(relative)}' under the artifacts root.");
        }
        return real;
    }

    private string Confine(string relative, string field)
    {
        try
        {
            return ArtifactPaths.Resolve(Root, relative, field);
        }
        catch (PermanentTaskException ex)
        {
            // The message starts with the field already: "path: '../x' contains '..'; …".
            var detail = ex.Message.StartsWith(field + ": ", StringComparison.Ordinal) ? ex.Message[(field.Length + 2)..] : ex.Message;
            throw ApiProblemException.Invalid(field, detail.TrimEnd('.'));
        }
    }

    private string? TryResolve(string relative)
    {
        try
        {
            return ArtifactPaths.Resolve(Root, relative, "path");
        }
        catch (PermanentTaskException)
        {
            return null;
        }
    }

    /// <summary>A plugin's output being written (see the sample plugins' AtomicOutput).</summary>
    private static bool IsTemporary(string name) => name.StartsWith('.') && name.EndsWith(".partial", StringComparison.Ordinal);
}
