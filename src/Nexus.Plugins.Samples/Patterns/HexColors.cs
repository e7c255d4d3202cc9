using System.ComponentModel.DataAnnotations;
using System.Globalization;
using SkiaSharp;

namespace Nexus.Plugins.Samples;

/// <summary>Parses <c>#rrggbb</c> and <c>#rgb</c> colours strictly, naming the entry at fault.</summary>
internal static class HexColors
{
    /// <summary>Parses every entry of <paramref name="colors"/> (the argument <paramref name="argName"/>).</summary>
    public static SKColor[] ParseAll(IReadOnlyList<string> colors, string argName)
    {
        if (colors.Count == 0) throw new PermanentTaskException($"{argName}: give at least one colour.");
        var parsed = new SKColor[colors.Count];
        for (var i = 0; i < colors.Count; i++)
        {
            parsed[i] = TryParse(colors[i], out var color) ? color
                : throw new PermanentTaskException($"{argName}[{i}]: '{colors[i]}' is not a colour; use #rrggbb or #rgb, e.g. #ff8800.");
        }
        return parsed;
    }

    /// <summary>Parses one colour; only <c>#</c> followed by 3 or 6 hex digits is accepted.</summary>
    public static bool TryParse(string? text, out SKColor color)
    {
        color = default;
        if (text is null || text.Length is not (4 or 7) || text[0] != '#') return false;
        var digits = text.AsSpan(1);
        foreach (var c in digits)
        {
            if (!char.IsAsciiHexDigit(c)) return false;
        }
        if (digits.Length == 3)
        {
            static byte Expand(char c) => (byte)(17 * (char.IsAsciiDigit(c) ? c - '0' : char.ToLowerInvariant(c) - 'a' + 10));
            color = new SKColor(Expand(digits[0]), Expand(digits[1]), Expand(digits[2]));
            return true;
        }
        var rgb = int.Parse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        color = new SKColor((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);
        return true;
    }
}

/// <summary>Checks at submit that every entry of a string list is a <c>#rrggbb</c> or <c>#rgb</c> colour, so a bad
/// colour is refused before the task is stored. The plugin checks again when it runs (it may be called directly).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
internal sealed class HexColorListAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not IReadOnlyList<string> colors) return ValidationResult.Success;
        for (var i = 0; i < colors.Count; i++)
        {
            if (!HexColors.TryParse(colors[i], out _))
            {
                return new ValidationResult($"entry [{i}] '{colors[i]}' is not a colour; use #rrggbb or #rgb, e.g. #ff8800");
            }
        }
        return ValidationResult.Success;
    }
}
