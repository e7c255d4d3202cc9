using System.Globalization;
using System.Text.Json;

namespace Nexus.Plugins.Samples;

/// <summary>What one chunk maps to, and how two of them reduce into one. One type serves every operation;
/// only the members the operation uses are filled.</summary>
internal sealed class MapReduceChunk
{
    public WordCounter Words { get; } = new();
    public double Sum { get; private set; }
    public long Count { get; private set; }
    public long Skipped { get; private set; }
    public Dictionary<string, GroupStats> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>Running totals of one group.</summary>
    internal sealed class GroupStats
    {
        public long Count { get; set; }
        public double Sum { get; set; }
        public long Numbers { get; set; }
    }

    /// <summary>Adds <paramref name="other"/> into this one. Reducing in chunk order keeps floating-point sums repeatable.</summary>
    public void Merge(MapReduceChunk other)
    {
        Words.Merge(other.Words);
        Sum += other.Sum;
        Count += other.Count;
        Skipped += other.Skipped;
        foreach (var (key, stats) in other.Groups)
        {
            var mine = Groups.TryGetValue(key, out var existing) ? existing : Groups[key] = new GroupStats();
            mine.Count += stats.Count;
            mine.Sum += stats.Sum;
            mine.Numbers += stats.Numbers;
        }
    }

    /// <summary>Counts the words of every string inside <paramref name="value"/> (property names excluded).</summary>
    public void CountWords(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                Words.Feed(value.GetString());
                Words.Finish();
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray()) CountWords(item);
                break;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject()) CountWords(property.Value);
                break;
        }
    }

    /// <summary>Adds a field value of record <paramref name="index"/>: numbers count, missing or null is skipped.</summary>
    public void AddNumber(JsonElement? value, int index, string field)
    {
        if (value is not { } v || v.ValueKind == JsonValueKind.Null)
        {
            Skipped++;
            return;
        }
        Sum += NumberOf(v, index, field);
        Count++;
    }

    /// <summary>Adds one line of plain text that must hold a number (blank lines are ignored).</summary>
    /// <summary>sum and avg without a field: the record itself is the number (a JSON array of numbers); null is skipped.</summary>
    public void AddElement(JsonElement record, int index)
    {
        switch (record.ValueKind)
        {
            case JsonValueKind.Null:
                Skipped++;
                return;
            case JsonValueKind.Number:
                Sum += NumberOf(record, index, "");
                Count++;
                return;
            case JsonValueKind.Object:
                // Without a field, a record's one numeric field is the value (the seed's examples name none); a record
                // with none or several cannot be guessed.
                var numeric = record.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).ToList();
                if (numeric.Count != 1)
                {
                    var found = numeric.Count == 0 ? "no numeric field" : "numeric fields " + string.Join(", ", numeric.Select(p => p.Name));
                    throw new PermanentTaskException(
                        $"args.field: element [{index}] is a record with {found}; name the one to add up, e.g. \"field\": \"{(numeric.Count > 0 ? numeric[0].Name : "price")}\".");
                }
                Sum += NumberOf(numeric[0].Value, index, numeric[0].Name);
                Count++;
                return;
            default:
                throw new PermanentTaskException($"args.inputFile: element [{index}] is {Shorten(record.GetRawText())}, not a number or a record.");
        }
    }

    public void AddLine(ReadOnlySpan<char> line, int lineNumber)
    {
        var trimmed = line.Trim();
        if (trimmed.IsEmpty) return;
        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            throw new PermanentTaskException($"args.inputFile: line {lineNumber} is not a number: '{Shorten(trimmed.ToString())}'.");
        }
        Sum += number;
        Count++;
    }

    /// <summary>Puts record <paramref name="index"/> in the group of its key value; with a field, adds that too.</summary>
    public void AddToGroup(JsonElement? key, JsonElement? value, int index, string? field)
    {
        if (key is not { } k)
        {
            Skipped++;
            return;
        }
        var name = k.ValueKind == JsonValueKind.String ? k.GetString()! : k.GetRawText();
        if (!Groups.TryGetValue(name, out var stats)) Groups[name] = stats = new GroupStats();
        stats.Count++;
        if (field is not null && value is { ValueKind: not JsonValueKind.Null } v)
        {
            stats.Sum += NumberOf(v, index, field);
            stats.Numbers++;
        }
    }

    private static double NumberOf(JsonElement value, int index, string field)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            if (field.Length == 0) throw new PermanentTaskException($"args.inputFile: element [{index}] is {Shorten(value.GetRawText())}, not a number.");
            throw new PermanentTaskException($"args.field: element [{index}] has '{field}' = {Shorten(value.GetRawText())}, which is not a number.");
        }
        return value.TryGetDouble(out var number) && double.IsFinite(number) ? number
            : throw new PermanentTaskException(field.Length == 0
                ? $"args.inputFile: element [{index}] is {Shorten(value.GetRawText())}, which is out of range."
                : $"args.field: element [{index}] has '{field}' = {Shorten(value.GetRawText())}, which is out of range.");
    }

    /// <summary>Reads a dotted field path (<c>order.total</c>) of a record; null when any part is missing.</summary>
    public static JsonElement? Lookup(JsonElement record, string path)
    {
        var current = record;
        foreach (var part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current)) return null;
        }
        return current;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
