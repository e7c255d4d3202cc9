using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace Nexus.Plugins.Samples;

/// <summary><c>pattern.draw</c>: paints layered patterns (checkerboard, spiral, waves, mandala, hexagons, fractals)
/// in given colours and writes a PNG. The same args and seed give the same image.</summary>
[TaskPlugin("pattern.draw", Description = "Paints layered patterns (checkerboard, spiral, waves, mandala, hexagons, fractals) in given colours and writes a PNG.", Version = "1.0.0")]
public sealed class PatternDrawPlugin(IOptions<SamplePluginsOptions> options, ImageMemoryBudget memory) : ITaskPlugin<PatternDrawArgs, PatternDrawResult>
{
    /// <summary>Colours used when the args give none.</summary>
    public static IReadOnlyList<string> DefaultColors { get; } = ["#1d3557", "#e63946", "#f1faee", "#a8dadc", "#457b9d"];

    /// <summary>Where the PNG goes when the args name no file: <c>patterns/task-&lt;id&gt;.png</c>, one file per task
    /// (a retry of the task replaces its own file, never another task's).</summary>
    public static string DefaultFilename(long taskId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"patterns/task-{taskId}.png");

    /// <summary>Opacity of every layer after the first, so the layers below show through.</summary>
    private const byte LaterLayerAlpha = 153;

    /// <inheritdoc />
    public async ValueTask<PatternDrawResult> ExecuteAsync(PatternDrawArgs args, TaskContext context)
    {
        var settings = options.Value;
        PngImages.CheckSize(args.Width, args.Height, settings.MaxImagePixels);
        var filename = args.Filename ?? DefaultFilename(context.TaskId);
        PngImages.CheckPngName(filename, "args.filename");
        if (args.Complexity is < 1 or > 10) throw new PermanentTaskException($"args.complexity: must be between 1 and 10 (was {args.Complexity}).");
        IReadOnlyList<DrawPattern> patterns = args.Patterns ?? [DrawPattern.Checkerboard];
        if (patterns.Count == 0) throw new PermanentTaskException("args.patterns: give at least one pattern.");
        var colors = HexColors.ParseAll(args.Colors ?? DefaultColors, "args.colors");
        var root = ArtifactPaths.CanonicalRoot(settings.ArtifactsRoot);
        var path = ArtifactPaths.Resolve(root, filename, "args.filename");
        var seed = Seeds.Resolve(args.Seed);

        using var reserved = await memory.ReserveAsync((long)args.Width * args.Height, context.CancellationToken);
        using var bitmap = PngImages.NewBitmap(args.Width, args.Height);
        using (var canvas = new SKCanvas(bitmap))
        using (var translucent = new SKPaint { Color = SKColors.Black.WithAlpha(LaterLayerAlpha) })
        {
            canvas.Clear(colors[0]);
            var layers = new PatternLayers(canvas, args.Width, args.Height, colors, args.Complexity, new Random(seed), context.CancellationToken);
            for (var i = 0; i < patterns.Count; i++)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (i == 0)
                {
                    layers.Draw(patterns[i]);
                }
                else
                {
                    canvas.SaveLayer(translucent);
                    layers.Draw(patterns[i]);
                    canvas.Restore();
                }
                await context.ReportProgressAsync(0.9 * (i + 1) / patterns.Count, $"layer {i + 1} of {patterns.Count}: {patterns[i]}");
            }
            canvas.Flush();
        }

        var bytes = await PngImages.SaveAsync(bitmap, path, "args.filename", context.CancellationToken);
        await context.ReportProgressAsync(1, "written");
        var relative = ArtifactPaths.ToRelative(root, path);
        context.Logger.LogInformation("Drew {Layers} pattern layer(s) into {Path} ({Bytes} bytes).", patterns.Count, relative, bytes);
        return new PatternDrawResult(relative, args.Width, args.Height, bytes, [.. patterns], seed);
    }
}
