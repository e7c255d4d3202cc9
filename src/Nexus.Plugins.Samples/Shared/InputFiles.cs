using System.Globalization;

namespace Nexus.Plugins.Samples;

/// <summary>Finds an input file under the artifacts root and checks it against the size limit.</summary>
internal static class InputFiles
{
    /// <summary>The full path of an existing file no larger than <paramref name="maxBytes"/>, or a <see cref="PermanentTaskException"/> naming <paramref name="argName"/>.</summary>
    public static FileInfo Find(string canonicalRoot, string relative, string argName, long maxBytes)
    {
        var path = ArtifactPaths.Resolve(canonicalRoot, relative, argName);
        if (Directory.Exists(path)) throw new PermanentTaskException($"{argName}: '{relative}' is a folder, not a file.");
        var file = new FileInfo(path);
        if (!file.Exists) throw new PermanentTaskException($"{argName}: '{relative}' does not exist under the artifacts root.");
        if (file.Length > maxBytes)
        {
            throw new PermanentTaskException(string.Create(CultureInfo.InvariantCulture,
                $"{argName}: '{relative}' is {file.Length:N0} bytes, above the limit of {maxBytes:N0} bytes (SamplePlugins:MaxInputBytes)."));
        }
        return file;
    }
}
