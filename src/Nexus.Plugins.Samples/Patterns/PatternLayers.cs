using SkiaSharp;

namespace Nexus.Plugins.Samples;

/// <summary>How each <see cref="DrawPattern"/> paints one layer. Colours after the first are the "ink";
/// the first is the background the canvas starts with.</summary>
internal sealed class PatternLayers(SKCanvas canvas, int width, int height, SKColor[] colors, int complexity, Random random, CancellationToken cancellationToken)
{
    private float Smaller => Math.Min(width, height);

    /// <summary>Ink colour number <paramref name="i"/>: cycles through the colours after the first (or the only one).</summary>
    private SKColor Ink(int i) => colors.Length == 1 ? colors[0] : colors[1 + (i % (colors.Length - 1))];

    public void Draw(DrawPattern pattern)
    {
        switch (pattern)
        {
            case DrawPattern.Checkerboard: Checkerboard(); break;
            case DrawPattern.Spiral: Spiral(); break;
            case DrawPattern.Waves: Waves(); break;
            case DrawPattern.Mandala: Mandala(); break;
            case DrawPattern.Hexagons: Hexagons(); break;
            case DrawPattern.Fractals: Fractals(); break;
            default: throw new PermanentTaskException($"args.patterns: unknown pattern '{pattern}'; use checkerboard, spiral, waves, mandala, hexagons or fractals.");
        }
    }

    /// <summary>The cell size of the checkerboard, in pixels.</summary>
    public static int CheckerCell(int width, int height, int complexity) => Math.Max(1, Math.Min(width, height) / (2 * complexity));

    private void Checkerboard()
    {
        var cell = CheckerCell(width, height, complexity);
        var second = colors.Length > 1 ? colors[1] : colors[0];
        using var paint = new SKPaint { IsAntialias = false, Style = SKPaintStyle.Fill };
        for (var row = 0; row * cell < height; row++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var col = 0; col * cell < width; col++)
            {
                paint.Color = (row + col) % 2 == 0 ? colors[0] : second;
                canvas.DrawRect(col * cell, row * cell, cell, cell, paint);
            }
        }
    }

    private void Spiral()
    {
        var turns = 2 + complexity;
        var (cx, cy) = (width / 2f, height / 2f);
        var maxRadius = MathF.Sqrt((width * width) + (height * height)) / 2;
        var phase = random.NextDouble() * 2 * Math.PI;
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(1, Smaller / (20 + (4 * complexity))), StrokeCap = SKStrokeCap.Round };
        const int StepsPerTurn = 180;
        for (var half = 0; half < turns * 2; half++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var path = new SKPath();
            for (var s = 0; s <= StepsPerTurn / 2; s++)
            {
                var t = ((half * StepsPerTurn / 2) + s) / (double)(turns * StepsPerTurn);
                var angle = phase + (t * turns * 2 * Math.PI);
                var r = (float)(t * maxRadius);
                var point = new SKPoint(cx + (r * (float)Math.Cos(angle)), cy + (r * (float)Math.Sin(angle)));
                if (s == 0) path.MoveTo(point);
                else path.LineTo(point);
            }
            paint.Color = Ink(half);
            canvas.DrawPath(path, paint);
        }
    }

    private void Waves()
    {
        var lines = 2 + (2 * complexity);
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(1, height / (4f * lines)) };
        for (var i = 0; i < lines; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var baseline = (i + 0.5f) * height / lines;
            var amplitude = (float)((0.5 + random.NextDouble()) * height / (2.0 * lines));
            var cycles = 1 + random.Next(complexity + 1);
            var phase = random.NextDouble() * 2 * Math.PI;
            using var path = new SKPath();
            for (var x = 0; x <= width; x += Math.Max(1, width / 512))
            {
                var y = baseline + (amplitude * (float)Math.Sin(phase + (2 * Math.PI * cycles * x / width)));
                if (x == 0) path.MoveTo(x, y);
                else path.LineTo(x, y);
            }
            paint.Color = Ink(i);
            canvas.DrawPath(path, paint);
        }
    }

    private void Mandala()
    {
        var symmetry = 6 + complexity;
        var rings = 2 + (complexity / 2);
        var (cx, cy) = (width / 2f, height / 2f);
        var outer = Smaller / 2;
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        for (var ring = rings; ring >= 1; ring--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var radius = outer * ring / (rings + 1);
            var petalLength = outer / (rings + 1) * (float)(0.8 + (0.6 * random.NextDouble()));
            var petalWidth = petalLength * (float)(0.25 + (0.3 * random.NextDouble()));
            var twist = (float)(random.NextDouble() * 360 / symmetry);
            paint.Color = Ink(ring);
            for (var k = 0; k < symmetry; k++)
            {
                canvas.Save();
                canvas.Translate(cx, cy);
                canvas.RotateDegrees(twist + (k * 360f / symmetry));
                canvas.DrawOval(radius, 0, petalLength / 2, petalWidth / 2, paint);
                canvas.Restore();
            }
        }
        paint.Color = Ink(0);
        canvas.DrawCircle(cx, cy, outer / (rings + 1) / 2, paint);
    }

    private void Hexagons()
    {
        var radius = Math.Max(3f, Smaller / (4 + (2 * complexity)));
        var horizontal = 1.5f * radius;
        var vertical = MathF.Sqrt(3) * radius;
        using var fill = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        using var edge = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(1, radius / 8), Color = colors[0] };
        for (var col = 0; col * horizontal <= width + radius; col++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var offset = col % 2 == 0 ? 0 : vertical / 2;
            for (var row = 0; (row * vertical) + offset <= height + vertical; row++)
            {
                using var path = new SKPath();
                var (cx, cy) = (col * horizontal, (row * vertical) + offset);
                for (var corner = 0; corner < 6; corner++)
                {
                    var angle = Math.PI / 3 * corner;
                    var point = new SKPoint(cx + (radius * (float)Math.Cos(angle)), cy + (radius * (float)Math.Sin(angle)));
                    if (corner == 0) path.MoveTo(point);
                    else path.LineTo(point);
                }
                path.Close();
                fill.Color = Ink(random.Next(colors.Length));
                canvas.DrawPath(path, fill);
                canvas.DrawPath(path, edge);
            }
        }
    }

    private void Fractals()
    {
        var depth = 3 + complexity;
        var spread = 0.35 + (0.25 * random.NextDouble());
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round };
        Branch(new SKPoint(width / 2f, height), -Math.PI / 2, height * 0.3f, depth, paint, spread);
    }

    private void Branch(SKPoint from, double angle, float length, int depthLeft, SKPaint paint, double spread)
    {
        if (depthLeft == 0 || length < 0.5f) return;
        cancellationToken.ThrowIfCancellationRequested();
        var to = new SKPoint(from.X + (length * (float)Math.Cos(angle)), from.Y + (length * (float)Math.Sin(angle)));
        paint.StrokeWidth = Math.Max(1, depthLeft * Smaller / 400f);
        paint.Color = Ink(depthLeft);
        canvas.DrawLine(from, to, paint);
        var jitter = (random.NextDouble() - 0.5) * 0.2;
        var shrink = (float)(0.68 + (0.1 * random.NextDouble()));
        Branch(to, angle - spread + jitter, length * shrink, depthLeft - 1, paint, spread);
        Branch(to, angle + spread + jitter, length * shrink, depthLeft - 1, paint, spread);
    }
}
