using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Nexus.Plugins.Samples;

/// <summary><c>text.wordcount</c>: counts the words of a text file under the artifacts root (total, distinct, most frequent).
/// The word rule is that of <see cref="WordCounter"/>: runs of letters, digits and apostrophes, case-insensitive.</summary>
[TaskPlugin("text.wordcount", Description = "Counts the words of a text file: total, distinct and the most frequent (case-insensitive; letters, digits and apostrophes make words).", Version = "1.0.0")]
public sealed class WordCountPlugin(IOptions<SamplePluginsOptions> options) : ITaskPlugin<WordCountArgs, WordCountResult>
{
    private const int ChunkChars = 1 << 16;

    /// <inheritdoc />
    public async ValueTask<WordCountResult> ExecuteAsync(WordCountArgs args, TaskContext context)
    {
        var settings = options.Value;
        if (args.Top is < 1 or > 1000) throw new PermanentTaskException($"args.top: must be between 1 and 1000 (was {args.Top}).");
        var root = ArtifactPaths.CanonicalRoot(settings.ArtifactsRoot);
        var file = InputFiles.Find(root, args.InputFile, "args.inputFile", settings.MaxInputBytes);

        var counter = new WordCounter();
        var buffer = new char[ChunkChars];
        await using (var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        using (var reader = new StreamReader(stream, detectEncodingFromByteOrderMarks: true))
        {
            var lastReported = 0.0;
            int read;
            while ((read = await reader.ReadAsync(buffer, context.CancellationToken)) > 0)
            {
                counter.Feed(buffer.AsSpan(0, read));
                var fraction = stream.Length == 0 ? 1 : (double)stream.Position / stream.Length;
                if (fraction - lastReported >= 0.05)
                {
                    lastReported = fraction;
                    await context.ReportProgressAsync(fraction * 0.99, "counting");
                }
            }
            counter.Finish();
        }

        await context.ReportProgressAsync(1, "counted");
        var relative = ArtifactPaths.ToRelative(root, file.FullName);
        context.Logger.LogInformation("Counted {Total} words ({Unique} distinct) in {Path}.", counter.Total, counter.Counts.Count, relative);
        return new WordCountResult(relative, counter.Total, counter.Counts.Count, counter.Top(args.Top));
    }
}
