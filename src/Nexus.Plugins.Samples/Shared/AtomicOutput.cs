namespace Nexus.Plugins.Samples;

/// <summary>
/// Output files written so that a failing or cancelled task leaves none half-written: each is written to a
/// hidden temporary name in its final folder, and only moved over the final name (an atomic rename) once all
/// of a task's outputs are complete. Disposing without <see cref="Commit"/> deletes the temporaries.
/// </summary>
internal sealed class AtomicOutput : IDisposable
{
    private readonly List<(string Temp, string Final)> _staged = [];

    /// <summary>Writes one file atomically and returns its size in bytes.</summary>
    public static async Task<long> WriteFileAsync(string finalPath, string argName, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        using var output = new AtomicOutput();
        var temp = output.Stage(finalPath, argName);
        await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            await write(stream, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
        var bytes = new FileInfo(temp).Length;
        cancellationToken.ThrowIfCancellationRequested();
        output.Commit();
        return bytes;
    }

    /// <summary>Reserves a temporary file beside <paramref name="finalPath"/> (a path already confined by
    /// <see cref="ArtifactPaths"/>) and returns its path; creates the folder if needed.</summary>
    public string Stage(string finalPath, string argName)
    {
        if (Directory.Exists(finalPath)) throw new PermanentTaskException($"{argName}: '{Path.GetFileName(finalPath)}' is a folder, not a file.");
        var folder = Path.GetDirectoryName(finalPath) ?? throw new PermanentTaskException($"{argName}: must name a file, not the file-system root.");
        if (File.Exists(folder)) throw new PermanentTaskException($"{argName}: '{Path.GetFileName(folder)}' is a file, not a folder.");
        Directory.CreateDirectory(folder);
        SweepStale(folder, Path.GetFileName(finalPath));
        var temp = Path.Join(folder, $".{Path.GetFileName(finalPath)}.{Guid.NewGuid():N}.partial");
        _staged.Add((temp, finalPath));
        return temp;
    }

    /// <summary>Temporaries of this output older than this were left by an attempt that was killed (a crash, kill -9):
    /// no live writer leaves its file untouched that long. Compared with the file system's own times, so on the real clock.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);

    /// <summary>Deletes the temporaries of <paramref name="name"/> that killed attempts left behind.</summary>
    private static void SweepStale(string folder, string name)
    {
        foreach (var stale in Directory.EnumerateFiles(folder, $".{name}.*.partial"))
        {
            try
            {
                if (TimeProvider.System.GetUtcNow().UtcDateTime - File.GetLastWriteTimeUtc(stale) > StaleAfter) File.Delete(stale);
            }
            catch (IOException)
            {
                // Best effort, as in Dispose.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Moves every staged file over its final name.</summary>
    public void Commit()
    {
        foreach (var (temp, final) in _staged) File.Move(temp, final, overwrite: true);
        _staged.Clear();
    }

    /// <summary>Deletes temporaries that were not committed.</summary>
    public void Dispose()
    {
        foreach (var (temp, _) in _staged)
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // Best effort: the temporary name is hidden and never mistaken for output.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        _staged.Clear();
    }
}
