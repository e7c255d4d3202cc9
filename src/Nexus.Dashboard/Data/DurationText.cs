using System.Globalization;

namespace Nexus.Dashboard.Data;

/// <summary>A duration as people read it: "250 ms", "30 s", "1 min 30 s", "2 h", "1 d 6 h" (the two largest units).</summary>
internal static class DurationText
{
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.Zero) return "-" + Format(value.Duration());
        if (value < TimeSpan.FromSeconds(1)) return string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.###} ms");
        if (value < TimeSpan.FromMinutes(1)) return string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.###} s");
        (long Amount, string Unit)[] parts =
        [
            (value.Days, "d"), (value.Hours, "h"), (value.Minutes, "min"), (value.Seconds, "s"),
        ];
        var first = Array.FindIndex(parts, p => p.Amount > 0);
        var shown = parts.Skip(first).Take(2).Where(p => p.Amount > 0).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Amount} {p.Unit}"));
        return string.Join(' ', shown);
    }
}
