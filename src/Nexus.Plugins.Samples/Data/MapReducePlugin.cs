using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Nexus.Plugins.Samples;

/// <summary><c>data.mapreduce</c>: splits a JSON array of records or a plain text into chunks, maps the chunks in
/// parallel (<see cref="MapReduceArgs.Workers"/> at once) and reduces them in chunk order into a word count, a sum,
/// an average or groups. The result is written to the output file and returned.</summary>
[TaskPlugin("data.mapreduce", Description = "Word count, sum, average or group-by over a JSON array of records or a plain text, mapped in parallel chunks; writes the result as JSON.", Version = "1.0.0")]
public sealed class MapReducePlugin(IOptions<SamplePluginsOptions> options) : ITaskPlugin<MapReduceArgs, MapReduceResult>
{
    /// <summary>Chunks per worker, so a slow chunk does not leave the other workers idle.</summary>
    private const int ChunksPerWorker = 4;
    private const int MinTextChunkChars = 4096;
    private static readonly JsonSerializerOptions FileJson = new(NexusJson.Options) { WriteIndented = true };

    /// <inheritdoc />
    public async ValueTask<MapReduceResult> ExecuteAsync(MapReduceArgs args, TaskContext context)
    {
        var settings = options.Value;
        var ct = context.CancellationToken;
        if (args.Workers is < 1 or > 64) throw new PermanentTaskException($"args.workers: must be between 1 and 64 (was {args.Workers}).");
        var root = ArtifactPaths.CanonicalRoot(settings.ArtifactsRoot);
        var input = InputFiles.Find(root, args.InputFile, "args.inputFile", settings.MaxInputBytes);
        var outputPath = ArtifactPaths.Resolve(root, args.OutputFile, "args.outputFile");

        var text = await File.ReadAllTextAsync(input.FullName, ct);
        var isJson = text.AsSpan().TrimStart().StartsWith("[", StringComparison.Ordinal);
        CheckArgsFit(args, isJson);
        using var document = isJson ? Parse(text) : null;
        await context.ReportProgressAsync(0.05, "read");

        var work = isJson ? JsonWork(args, document!.RootElement) : TextWork(args, text);
        var mapped = new MapReduceChunk[work.Chunks.Count];
        var done = 0;
        using var progressGate = new SemaphoreSlim(1, 1);
        await Parallel.ForEachAsync(Enumerable.Range(0, work.Chunks.Count), new ParallelOptions { MaxDegreeOfParallelism = args.Workers, CancellationToken = ct }, async (i, token) =>
        {
            var chunk = new MapReduceChunk();
            var (start, end) = work.Chunks[i];
            work.Map(chunk, start, end, token);
            mapped[i] = chunk;
            // Progress reports are serialized: the engine's callback need not be thread-safe, and fractions stay in order.
            await progressGate.WaitAsync(token);
            try
            {
                done++;
                await context.ReportProgressAsync(0.05 + (0.85 * done / mapped.Length), $"mapped chunk {done} of {mapped.Length}");
            }
            finally
            {
                progressGate.Release();
            }
        });

        var total = new MapReduceChunk();
        foreach (var chunk in mapped) total.Merge(chunk);
        var result = Reduce(args, total, new MapReduceResult
        {
            Operation = args.Operation,
            InputFile = ArtifactPaths.ToRelative(root, input.FullName),
            OutputFile = ArtifactPaths.ToRelative(root, outputPath),
            InputKind = isJson ? "json" : "text",
            Records = work.Records,
            Chunks = mapped.Length,
            Workers = args.Workers,
        });
        await AtomicOutput.WriteFileAsync(outputPath, "args.outputFile",
            (stream, token) => JsonSerializer.SerializeAsync(stream, result, FileJson, token), ct);
        await context.ReportProgressAsync(1, "written");
        context.Logger.LogInformation("Map-reduce {Operation} over {Records} records in {Chunks} chunks wrote {Path}.", args.Operation, work.Records, mapped.Length, result.OutputFile);
        return Truncate(result, settings.MaxResultEntries);
    }

    /// <summary>How the input is cut up and how one chunk is mapped.</summary>
    private sealed record Work(long Records, IReadOnlyList<(int Start, int End)> Chunks, Action<MapReduceChunk, int, int, CancellationToken> Map);

    private static void CheckArgsFit(MapReduceArgs args, bool isJson)
    {
        if (!isJson && args.Field is not null) throw new PermanentTaskException("args.field: the input is plain text, which has no fields; leave field out.");
        if (args.Operation != MapReduceOperation.GroupBy && args.Key is not null) throw new PermanentTaskException($"args.key: only groupby uses a key, not {Name(args.Operation)}.");
        switch (args.Operation)
        {
            case MapReduceOperation.GroupBy when !isJson:
                throw new PermanentTaskException("args.inputFile: groupby needs a JSON array of records; this file is plain text.");
            case MapReduceOperation.GroupBy when string.IsNullOrWhiteSpace(args.Key):
                throw new PermanentTaskException("args.key: groupby needs the field to group by.");
            case MapReduceOperation.WordCount or MapReduceOperation.Sum or MapReduceOperation.Avg or MapReduceOperation.GroupBy:
                break;
            default:
                throw new PermanentTaskException($"args.operation: unknown operation '{args.Operation}'; use wordcount, sum, avg or groupby.");
        }
    }

    private static JsonDocument Parse(string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new PermanentTaskException($"args.inputFile: starts with '[' but is not valid JSON: {ex.Message}", ex);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            document.Dispose();
            throw new PermanentTaskException("args.inputFile: JSON input must be an array of records.");
        }
        return document;
    }

    private static Work JsonWork(MapReduceArgs args, JsonElement array)
    {
        var records = array.EnumerateArray().ToArray();
        var chunks = Split(records.Length, Math.Min(records.Length, args.Workers * ChunksPerWorker));
        return new Work(records.Length, chunks, (chunk, start, end, token) =>
        {
            for (var i = start; i < end; i++)
            {
                if ((i - start) % 1024 == 0) token.ThrowIfCancellationRequested();
                var record = records[i];
                if (args.Operation == MapReduceOperation.WordCount)
                {
                    if ((args.Field is null ? record : MapReduceChunk.Lookup(record, args.Field)) is { } value) chunk.CountWords(value);
                    continue;
                }
                if (args.Field is null && args.Operation != MapReduceOperation.GroupBy)
                {
                    chunk.AddElement(record, i); // sum or avg of an array of numbers
                    continue;
                }
                if (record.ValueKind != JsonValueKind.Object)
                {
                    throw new PermanentTaskException($"args.inputFile: element [{i}] is {record.ValueKind.ToString().ToLowerInvariant()}, not an object.");
                }
                if (args.Operation == MapReduceOperation.GroupBy)
                {
                    var value = args.Field is null ? null : MapReduceChunk.Lookup(record, args.Field);
                    chunk.AddToGroup(MapReduceChunk.Lookup(record, args.Key!), value, i, args.Field);
                }
                else
                {
                    chunk.AddNumber(MapReduceChunk.Lookup(record, args.Field!), i, args.Field!);
                }
            }
        });
    }

    private static Work TextWork(MapReduceArgs args, string text)
    {
        var lineCount = text.Length == 0 ? 0 : text.Count(c => c == '\n') + (text[^1] == '\n' ? 0 : 1);
        if (args.Operation == MapReduceOperation.WordCount)
        {
            var chunkCount = Math.Clamp(text.Length / MinTextChunkChars, 1, args.Workers * ChunksPerWorker);
            return new Work(lineCount, SplitText(text, chunkCount), (chunk, start, end, token) =>
            {
                token.ThrowIfCancellationRequested();
                chunk.Words.Feed(text.AsSpan(start, end - start));
                chunk.Words.Finish();
            });
        }
        var lines = text.Split('\n');
        if (lines.Length > 0 && lines[^1].Length == 0) lines = lines[..^1];
        var lineChunks = Split(lines.Length, Math.Min(lines.Length, args.Workers * ChunksPerWorker));
        return new Work(lineCount, lineChunks, (chunk, start, end, token) =>
        {
            for (var i = start; i < end; i++)
            {
                if ((i - start) % 1024 == 0) token.ThrowIfCancellationRequested();
                chunk.AddLine(lines[i], i + 1);
            }
        });
    }

    /// <summary>Cuts <paramref name="count"/> items into <paramref name="chunks"/> nearly equal ranges (one empty range when there are none).</summary>
    private static List<(int Start, int End)> Split(int count, int chunks)
    {
        if (count == 0) return [(0, 0)];
        var ranges = new List<(int, int)>(chunks);
        for (var i = 0; i < chunks; i++) ranges.Add(((int)((long)count * i / chunks), (int)((long)count * (i + 1) / chunks)));
        return ranges;
    }

    /// <summary>Cuts text into ranges that end between words, so no word is split across chunks.</summary>
    private static List<(int Start, int End)> SplitText(string text, int chunks)
    {
        var ranges = new List<(int, int)>(chunks);
        var start = 0;
        for (var i = 1; i <= chunks && start < text.Length; i++)
        {
            var end = i == chunks ? text.Length : Math.Max(start, (int)((long)text.Length * i / chunks));
            while (end < text.Length && WordCounter.IsWordChar(text[end])) end++;
            if (end > start) ranges.Add((start, end));
            start = end;
        }
        return ranges.Count == 0 ? [(0, 0)] : ranges;
    }

    private static MapReduceResult Reduce(MapReduceArgs args, MapReduceChunk total, MapReduceResult result) => args.Operation switch
    {
        MapReduceOperation.WordCount => result with
        {
            TotalWords = total.Words.Total,
            UniqueWords = total.Words.Counts.Count,
            Words = total.Words.Top(int.MaxValue),
        },
        MapReduceOperation.Sum or MapReduceOperation.Avg => result with
        {
            Count = total.Count,
            Skipped = total.Skipped,
            Sum = total.Sum,
            Average = total.Count == 0 ? null : total.Sum / total.Count,
        },
        _ => result with
        {
            Skipped = total.Skipped,
            GroupCount = total.Groups.Count,
            Groups = [.. total.Groups
                .OrderByDescending(g => g.Value.Count).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new GroupSummary(g.Key, g.Value.Count,
                    args.Field is null ? null : g.Value.Sum,
                    args.Field is null || g.Value.Numbers == 0 ? null : g.Value.Sum / g.Value.Numbers))],
        },
    };

    private static MapReduceResult Truncate(MapReduceResult result, int max)
    {
        if ((result.Words?.Count ?? 0) <= max && (result.Groups?.Count ?? 0) <= max) return result;
        return result with
        {
            Words = result.Words is null ? null : [.. result.Words.Take(max)],
            Groups = result.Groups is null ? null : [.. result.Groups.Take(max)],
            Truncated = true,
        };
    }

    private static string Name(MapReduceOperation operation) => JsonSerializer.Serialize(operation, NexusJson.Options).Trim('"');
}
