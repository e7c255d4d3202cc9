namespace Nexus.Plugins.Samples;

/// <summary>
/// The one place where a path from task args becomes a file-system path. Every path is relative to the
/// artifacts root and must stay inside it: absolute paths and <c>..</c> segments are refused outright, and
/// symbolic links in every existing component are followed so that a link leading out is refused too.
/// Errors are <see cref="PermanentTaskException"/>s that name the argument, since retrying cannot fix them.
/// </summary>
internal static class ArtifactPaths
{
    private const int MaxLinkHops = 40;
    private static readonly char[] Separators = ['/', '\\'];

    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>The root as a full path with its links resolved; created if it does not exist.</summary>
    public static string CanonicalRoot(string root)
    {
        if (string.IsNullOrWhiteSpace(root)) throw new InvalidOperationException("SamplePlugins:ArtifactsRoot is not set.");
        var full = Path.GetFullPath(root);
        Directory.CreateDirectory(full);
        return Canonicalize(full) ?? throw new InvalidOperationException($"SamplePlugins:ArtifactsRoot '{root}' has a symbolic link loop.");
    }

    /// <summary>Resolves <paramref name="relative"/> (from the argument <paramref name="argName"/>, e.g. <c>args.filename</c>)
    /// to a full path inside <paramref name="root"/>, with links resolved. The path need not exist.</summary>
    public static string Resolve(string root, string? relative, string argName)
    {
        if (Problem(relative) is { } problem) throw new PermanentTaskException($"{argName}: {problem}.");
        var canonicalRoot = CanonicalRoot(root);
        return Confine(canonicalRoot, Path.GetFullPath(Path.Join(canonicalRoot, relative)), argName, relative!);
    }

    /// <summary>What is wrong with <paramref name="relative"/> as a path under the root, judged from its text alone
    /// (empty, a NUL, absolute on any system — <c>/x</c>, <c>\x</c>, <c>C:x</c> —, or a <c>..</c> segment), or null.
    /// Checked at submit (<see cref="RelativePathAttribute"/>) and again when the path is used, where links are
    /// followed too (<see cref="Confine"/>).</summary>
    public static string? Problem(string? relative)
    {
        if (string.IsNullOrWhiteSpace(relative)) return "must be a path relative to the artifacts root, not empty";
        if (relative.Contains('\0', StringComparison.Ordinal)) return "must not contain a NUL character";
        if (IsAbsolute(relative)) return $"'{relative}' is an absolute path; give a path relative to the artifacts root";
        if (relative.Split(Separators).Any(segment => segment == ".."))
        {
            return $"'{relative}' contains '..'; paths must stay inside the artifacts root";
        }
        return null;
    }

    /// <summary>Absolute here or on another system: a path from a Windows client must not become a strange relative name.</summary>
    private static bool IsAbsolute(string path) =>
        Path.IsPathRooted(path) || path[0] is '/' or '\\' || (path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':');

    /// <summary>Checks that <paramref name="fullPath"/> (found by enumerating a folder under <paramref name="canonicalRoot"/>)
    /// still leads inside it once links are followed, and returns it with links resolved.</summary>
    public static string Confine(string canonicalRoot, string fullPath, string argName, string shownAs)
    {
        var real = Canonicalize(fullPath)
            ?? throw new PermanentTaskException($"{argName}: '{shownAs}' has a symbolic link loop.");
        if (!IsInside(canonicalRoot, real))
        {
            throw new PermanentTaskException($"{argName}: '{shownAs}' leads outside the artifacts root through a symbolic link.");
        }
        return real;
    }

    /// <summary>The path of <paramref name="fullPath"/> relative to <paramref name="canonicalRoot"/>, with forward slashes, as results report it.</summary>
    public static string ToRelative(string canonicalRoot, string fullPath)
    {
        var relative = Path.GetRelativePath(canonicalRoot, fullPath);
        return Path.DirectorySeparatorChar == '/' ? relative : relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    private static bool IsInside(string root, string path)
    {
        var trimmedRoot = Path.TrimEndingDirectorySeparator(root);
        if (string.Equals(path, trimmedRoot, PathComparison)) return true;
        return path.StartsWith(trimmedRoot + Path.DirectorySeparatorChar, PathComparison)
            || (trimmedRoot.Length == Path.GetPathRoot(trimmedRoot)?.Length && path.StartsWith(trimmedRoot, PathComparison));
    }

    /// <summary>Follows the symbolic links of every existing component of a full path, like realpath(3) but
    /// allowing a missing tail. Returns null on a link loop.</summary>
    internal static string? Canonicalize(string fullPath)
    {
        var pending = fullPath;
        var hops = 0;
        while (true)
        {
            var fsRoot = Path.GetPathRoot(pending) ?? throw new ArgumentException($"'{pending}' is not a full path.", nameof(fullPath));
            var parts = pending[fsRoot.Length..].Split(Separators, StringSplitOptions.RemoveEmptyEntries);
            var current = fsRoot;
            string? restart = null;
            for (var i = 0; i < parts.Length; i++)
            {
                var next = Path.Join(current, parts[i]);
                var target = new FileInfo(next).LinkTarget;
                if (target is null)
                {
                    if (!Path.Exists(next))
                    {
                        // Nothing below a missing component can be a link: the rest is taken as written.
                        return Path.Join([next, .. parts[(i + 1)..]]);
                    }
                    current = next;
                    continue;
                }
                if (++hops > MaxLinkHops) return null;
                var resolved = Path.GetFullPath(target, current);
                restart = Path.Join([resolved, .. parts[(i + 1)..]]);
                break;
            }
            if (restart is null) return current;
            pending = restart;
        }
    }
}
