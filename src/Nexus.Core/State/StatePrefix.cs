using System.Text;

namespace Nexus.State;

/// <summary>Prefix ranges over keys ordered by code point (both stores compare keys that way).</summary>
public static class StatePrefix
{
    /// <summary>The smallest string greater than every string that starts with <paramref name="prefix"/>, or null when
    /// there is none (an empty prefix, or one made only of U+10FFFF): keys with the prefix are exactly those in
    /// [prefix, end).</summary>
    public static string? End(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var runes = prefix.EnumerateRunes().ToList();
        while (runes.Count > 0)
        {
            var last = runes[^1].Value;
            runes.RemoveAt(runes.Count - 1);
            if (last == 0x10FFFF) continue;
            var next = last + 1 == 0xD800 ? 0xE000 : last + 1;
            var sb = new StringBuilder();
            foreach (var r in runes) sb.Append(r.ToString());
            sb.Append(new Rune(next).ToString());
            return sb.ToString();
        }
        return null;
    }
}
