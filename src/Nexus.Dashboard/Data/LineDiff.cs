namespace Nexus.Dashboard.Data;

/// <summary>A line diff of two texts (longest common subsequence): what a state key's two versions differ by, shown on
/// their indented JSON. Texts longer than <see cref="MaxLines"/> lines are compared as wholes (one removed, one added),
/// so the work stays bounded.</summary>
internal static class LineDiff
{
    public const int MaxLines = 2000;

    /// <summary>A line kept (' '), removed ('-') or added ('+').</summary>
    public readonly record struct Line(char Op, string Text);

    public static IReadOnlyList<Line> Compare(string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        if (a.Length > MaxLines || b.Length > MaxLines)
        {
            return before == after ? [.. a.Select(l => new Line(' ', l))] : [.. a.Select(l => new Line('-', l)), .. b.Select(l => new Line('+', l))];
        }
        // lcs[i, j]: the common subsequence's length of a[i..] and b[j..].
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        var lines = new List<Line>(a.Length + b.Length);
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y]) { lines.Add(new Line(' ', a[x])); x++; y++; }
            else if (lcs[x + 1, y] >= lcs[x, y + 1]) lines.Add(new Line('-', a[x++]));
            else lines.Add(new Line('+', b[y++]));
        }
        while (x < a.Length) lines.Add(new Line('-', a[x++]));
        while (y < b.Length) lines.Add(new Line('+', b[y++]));
        return lines;
    }
}
