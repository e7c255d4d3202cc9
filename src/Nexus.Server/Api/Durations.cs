using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace Nexus.Server.Api;

/// <summary>Duration texts: <c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, combinations such as <c>1h30m</c>,
/// or ISO 8601 (<c>PT30S</c>).</summary>
internal static partial class Durations
{
    /// <summary>What a duration text read as: a duration, one too long for any duration Nexus takes, or neither.</summary>
    public readonly record struct Parsed(TimeSpan? Duration, bool Overflowed);

    /// <summary>Reads a duration text. Longer than <see cref="TimeSpan"/> holds (e.g. <c>P99999Y</c>) reads as
    /// <see cref="Parsed.Overflowed"/> rather than throwing; callers check their own, much lower, bounds.</summary>
    public static Parsed Parse(string text)
    {
        text = text.Trim();
        if (text.Length == 0) return default;
        if (text[0] is 'P' or 'p')
        {
            try
            {
                return new Parsed(XmlConvert.ToTimeSpan(text.ToUpperInvariant()), false);
            }
            catch (OverflowException)
            {
                return new Parsed(null, true);
            }
            catch (FormatException)
            {
                return default;
            }
        }
        var matches = Part().Matches(text);
        if (matches.Count == 0 || matches.Sum(m => m.Length) != text.Length) return default;
        double ms = 0;
        foreach (Match m in matches)
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            ms += n * m.Groups[2].Value switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => 86_400_000,
            };
        }
        return ms > TimeSpan.MaxValue.TotalMilliseconds / 2 ? new Parsed(null, true) : new Parsed(TimeSpan.FromMilliseconds(ms), false);
    }

    /// <summary>Reads a duration text; false when it is not one or is too long for a <see cref="TimeSpan"/>.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        var parsed = Parse(text);
        duration = parsed.Duration ?? default;
        return parsed.Duration is not null;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h|d)")]
    private static partial Regex Part();
}
