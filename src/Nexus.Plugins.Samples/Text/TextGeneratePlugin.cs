using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Nexus.Plugins.Samples;

/// <summary><c>text.generate</c>: writes sentences of words from a built-in vocabulary, wrapped to a line width.
/// Sentences have 6–14 words, start with a capital and end with a full stop; lines break between words only.</summary>
[TaskPlugin("text.generate", Description = "Writes a text file of sentences from a built-in vocabulary, wrapped to a line width.", Version = "1.0.0")]
public sealed class TextGeneratePlugin(IOptions<SamplePluginsOptions> options) : ITaskPlugin<TextGenerateArgs, TextGenerateResult>
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <inheritdoc />
    public async ValueTask<TextGenerateResult> ExecuteAsync(TextGenerateArgs args, TaskContext context)
    {
        if (args.Words is < 1 or > 10_000_000) throw new PermanentTaskException($"args.words: must be between 1 and 10000000 (was {args.Words}).");
        if (args.LineWidth is < 10 or > 1000) throw new PermanentTaskException($"args.lineWidth: must be between 10 and 1000 (was {args.LineWidth}).");
        var root = ArtifactPaths.CanonicalRoot(options.Value.ArtifactsRoot);
        var path = ArtifactPaths.Resolve(root, args.Filename, "args.filename");
        var seed = Seeds.Resolve(args.Seed);
        var random = new Random(seed);
        var lines = 0;

        var bytes = await AtomicOutput.WriteFileAsync(path, "args.filename", async (stream, ct) =>
        {
            await using var writer = new StreamWriter(stream, Utf8NoBom, 1 << 16, leaveOpen: true) { NewLine = "\n" };
            var line = new StringBuilder(args.LineWidth + Vocabulary.MaxWordLength + 1);
            var sentenceLeft = 0;
            var band = Math.Max(1, args.Words / 20);
            for (var i = 0; i < args.Words; i++)
            {
                var word = Vocabulary.Words[random.Next(Vocabulary.Words.Count)];
                if (sentenceLeft == 0)
                {
                    sentenceLeft = random.Next(6, 15);
                    word = string.Concat(char.ToUpperInvariant(word[0]).ToString(), word.AsSpan(1));
                }
                sentenceLeft--;
                if (sentenceLeft == 0 || i == args.Words - 1) word += ".";
                if (line.Length > 0 && line.Length + 1 + word.Length > args.LineWidth)
                {
                    await writer.WriteLineAsync(line, ct);
                    lines++;
                    line.Clear();
                }
                if (line.Length > 0) line.Append(' ');
                line.Append(word);
                if ((i + 1) % band == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    await context.ReportProgressAsync(0.99 * (i + 1) / args.Words, "writing");
                }
            }
            await writer.WriteLineAsync(line, ct);
            lines++;
        }, context.CancellationToken);

        await context.ReportProgressAsync(1, "written");
        var relative = ArtifactPaths.ToRelative(root, path);
        context.Logger.LogInformation("Wrote {Words} words in {Lines} lines to {Path}.", args.Words, lines, relative);
        return new TextGenerateResult(relative, args.Words, lines, bytes, seed);
    }
}
