using System.Text.RegularExpressions;

namespace Nexus.Server.Tests.Deploy;

/// <summary>The metric names a PromQL expression reads. A small lexer, enough for the expressions of deploy/: it drops
/// strings, label matchers (<c>{…}</c>), range selectors (<c>[5m]</c>), grouping label lists
/// (<c>by (…)</c>, <c>without</c>, <c>on</c>, <c>ignoring</c>, <c>group_left</c>, <c>group_right</c>), Grafana variables
/// (<c>$queue</c>, <c>${x:regex}</c>), numbers, functions (an identifier followed by <c>(</c>) and keywords; what is left
/// are metric names.</summary>
public static partial class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
        "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
        "inf", "nan", "Inf", "NaN",
    };

    public static IReadOnlySet<string> MetricNames(string expression)
    {
        var text = Variables().Replace(expression, " ");
        text = Strings().Replace(text, "\"\"");
        text = Matchers().Replace(text, " ");
        text = Ranges().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Identifiers().Matches(text))
        {
            var name = m.Groups["name"].Value;
            if (Keywords.Contains(name) || m.Groups["call"].Success) continue;
            names.Add(name);
        }
        return names;
    }

    [GeneratedRegex(@"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Variables();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\[\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![A-Za-z0-9_:.])(?<name>[A-Za-z_:][A-Za-z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex Identifiers();
}
