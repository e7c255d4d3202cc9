using System.Globalization;
using System.Text;

namespace Nexus.CrashTests.Worker;

/// <summary>What a history line records.</summary>
public enum HistoryKind
{
    /// <summary>An attempt began running in a worker.</summary>
    Start,
    /// <summary>An attempt's plugin returned (its completion may still be rejected by the lease fence).</summary>
    Finish,
}

/// <summary>One line of a worker's history: <c>start|finish task attempt node pid unixMs</c>. Every claim raises the
/// attempt number, so (task, attempt) names one lease; two starts of the same pair would be a double claim.</summary>
public sealed record HistoryRecord(HistoryKind Kind, long TaskId, int Attempt, string Node, int Pid, long UnixMs)
{
    /// <summary>The line, newline included.</summary>
    public string Format() => string.Create(CultureInfo.InvariantCulture,
        $"{(Kind == HistoryKind.Start ? "start" : "finish")} {TaskId} {Attempt} {Node} {Pid} {UnixMs}\n");

    /// <summary>Parses a complete line; false for anything else (a torn last line is ignored, never guessed at).</summary>
    public static bool TryParse(string line, out HistoryRecord record)
    {
        record = null!;
        var parts = line.Split(' ');
        if (parts.Length != 6) return false;
        HistoryKind kind;
        if (parts[0] == "start") kind = HistoryKind.Start;
        else if (parts[0] == "finish") kind = HistoryKind.Finish;
        else return false;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var attempt)
            || !int.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return false;
        }
        record = new HistoryRecord(kind, id, attempt, parts[3], pid, ms);
        return true;
    }

    /// <summary>Every complete record in every <c>*.history</c> file of <paramref name="folder"/>.</summary>
    public static List<HistoryRecord> ReadFolder(string folder)
    {
        var records = new List<HistoryRecord>();
        if (!Directory.Exists(folder)) return records;
        foreach (var file in Directory.EnumerateFiles(folder, "*.history"))
        {
            // The worker may still be appending: share the file and keep only newline-terminated lines.
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var text = reader.ReadToEnd();
            var end = text.LastIndexOf('\n');
            if (end < 0) continue;
            foreach (var line in text[..end].Split('\n'))
            {
                if (TryParse(line, out var record)) records.Add(record);
            }
        }
        return records;
    }
}

/// <summary>Appends history lines to this process's own file, one unbuffered write per line, so that a kill -9 loses
/// nothing already recorded and never leaves half a line. One file per process: no cross-process interleaving.</summary>
public sealed class HistoryWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly Lock _lock = new();

    /// <summary>Opens (creating) <c>{node}.{pid}.history</c> in <paramref name="folder"/>.</summary>
    public HistoryWriter(string folder, string node)
    {
        Directory.CreateDirectory(folder);
        Node = node;
        Path = System.IO.Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{node}.{Environment.ProcessId}.history"));
        _file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
    }

    /// <summary>This process's node id.</summary>
    public string Node { get; }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>Writes one record (wall-clock time, for latency reports only).</summary>
    public void Append(HistoryKind kind, long taskId, int attempt)
    {
        var record = new HistoryRecord(kind, taskId, attempt, Node, Environment.ProcessId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var bytes = Encoding.UTF8.GetBytes(record.Format());
        lock (_lock) _file.Write(bytes);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();
}
