using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace Nexus.Server.Api;

/// <summary>Duration texts: <c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, combinations such as <c>1h30m</c>,
/// or ISO 8601 (<c>PT30S</c>).</summary>
internal static partial class Durations
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        text = text.Trim();
        if (text.Length == 0) return false;
        if (text[0] is 'P' or 'p')
        {
            try
            {
                duration = XmlConvert.ToTimeSpan(text.ToUpperInvariant());
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }
        var matches = Part().Matches(text);
        if (matches.Count == 0 || matches.Sum(m => m.Length) != text.Length) return false;
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
        if (ms > TimeSpan.MaxValue.TotalMilliseconds / 2) return false;
        duration = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h|d)")]
    private static partial Regex Part();
}
