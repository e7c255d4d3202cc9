using System.Text.Json;

namespace Nexus.Filters;

/// <summary>Turns filter JSON into nodes, naming the path of whatever is wrong.</summary>
internal sealed class FilterParser
{
    private int _nodes;

    public FilterNode ParseFilter(JsonElement filter, string at, int depth)
    {
        if (filter.ValueKind != JsonValueKind.Object) throw new FilterException(at, $"must be an object, not {Describe(filter)}");
        Count(at, depth);
        var parts = new List<FilterNode>();
        foreach (var property in filter.EnumerateObject())
        {
            var here = Join(at, property.Name);
            parts.Add(property.Name switch
            {
                "$and" => new AndNode(ParseList(property.Value, here, depth + 1)),
                "$or" => new OrNode(ParseList(property.Value, here, depth + 1)),
                "$not" => new NotNode(ParseFilter(property.Value, here, depth + 1)),
                var name when name.StartsWith('$') => throw new FilterException(here, $"unknown operator '{name}' here; at the top of a filter only $and, $or and $not are allowed"),
                var name => new PathNode(ParsePath(name, here), ParseCondition(property.Value, here, depth + 1)),
            });
        }
        return parts.Count == 1 ? parts[0] : new AndNode(parts);
    }

    private List<FilterNode> ParseList(JsonElement list, string at, int depth)
    {
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new FilterException(at, "must be a non-empty array of filters");
        }
        var nodes = new List<FilterNode>(list.GetArrayLength());
        var i = 0;
        foreach (var item in list.EnumerateArray()) nodes.Add(ParseFilter(item, $"{at}[{i++}]", depth));
        return nodes;
    }

    private static string[] ParsePath(string name, string at)
    {
        var path = JsonPaths.Split(name);
        if (path.Any(segment => segment.Length == 0)) throw new FilterException(at, "a path must not have empty segments (check the dots)");
        return path;
    }

    /// <summary>The value of a path key: an object of operators, or any other value meaning <c>$eq</c> to it.</summary>
    private FieldCondition ParseCondition(JsonElement value, string at, int depth)
    {
        Count(at, depth);
        if (value.ValueKind != JsonValueKind.Object || !value.EnumerateObject().Any() || !value.EnumerateObject().First().Name.StartsWith('$'))
        {
            return Eq(value);
        }
        var conditions = new List<FieldCondition>();
        foreach (var op in value.EnumerateObject())
        {
            var here = Join(at, op.Name);
            conditions.Add(op.Name switch
            {
                "$eq" => Eq(op.Value),
                "$ne" => new NotCondition(Eq(op.Value)),
                "$gt" => Ordered(op.Value, here, c => c > 0),
                "$gte" => Ordered(op.Value, here, c => c >= 0),
                "$lt" => Ordered(op.Value, here, c => c < 0),
                "$lte" => Ordered(op.Value, here, c => c <= 0),
                "$in" => In(op.Value, here),
                "$nin" => new NotCondition(In(op.Value, here)),
                "$exists" => op.Value.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? new ExistsCondition(op.Value.GetBoolean())
                    : throw new FilterException(here, $"must be true or false, not {Describe(op.Value)}"),
                "$not" => op.Value.ValueKind == JsonValueKind.Object
                    ? new NotCondition(ParseCondition(op.Value, here, depth + 1))
                    : throw new FilterException(here, $"must be an object of operators, not {Describe(op.Value)}"),
                var name when name.StartsWith('$') => throw new FilterException(here, $"unknown operator '{name}'; known: $eq $ne $gt $gte $lt $lte $in $nin $exists $not"),
                _ => throw new FilterException(here, "mixes operators and plain keys; to match an object exactly, use $eq"),
            });
        }
        return conditions.Count == 1 ? conditions[0] : new AllConditions(conditions);
    }

    private static ValueCondition Eq(JsonElement operand)
    {
        var copy = operand.Clone();
        return new ValueCondition(v => JsonValues.Equal(v, copy), copy.ValueKind == JsonValueKind.Array);
    }

    private static ValueCondition Ordered(JsonElement operand, string at, Func<int, bool> holds)
    {
        if (operand.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
        {
            throw new FilterException(at, $"compares numbers or strings, not {Describe(operand)}");
        }
        var copy = operand.Clone();
        return new ValueCondition(v => JsonValues.Compare(v, copy) is { } c && holds(c), false);
    }

    private static ValueCondition In(JsonElement operand, string at)
    {
        if (operand.ValueKind != JsonValueKind.Array) throw new FilterException(at, $"must be an array of values, not {Describe(operand)}");
        var values = operand.EnumerateArray().Select(e => e.Clone()).ToArray();
        return new ValueCondition(v => values.Any(x => JsonValues.Equal(v, x)), false);
    }

    private void Count(string at, int depth)
    {
        if (depth > JsonFilter.MaxDepth) throw new FilterException(at, $"nests deeper than {JsonFilter.MaxDepth} levels");
        if (++_nodes > JsonFilter.MaxNodes) throw new FilterException(at, $"has more than {JsonFilter.MaxNodes} conditions");
    }

    private static string Join(string at, string name) => at.Length == 0 ? name : $"{at}.{name}";

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a boolean",
    };
}
