using System.Text.Json;

namespace Nexus.Filters;

/// <summary>What a path's value must satisfy. <c>found</c> is false when the path does not exist in the document.</summary>
internal abstract class FieldCondition
{
    public abstract bool Matches(bool found, JsonElement value);
}

/// <summary>All of several operators on one path (<c>{"$gt":1,"$lt":5}</c>).</summary>
internal sealed class AllConditions(IReadOnlyList<FieldCondition> all) : FieldCondition
{
    public override bool Matches(bool found, JsonElement value)
    {
        foreach (var c in all)
        {
            if (!c.Matches(found, value)) return false;
        }
        return true;
    }
}

/// <summary>Field-level <c>$not</c>: the inner operators do not all hold (a missing path matches).</summary>
internal sealed class NotCondition(FieldCondition inner) : FieldCondition
{
    public override bool Matches(bool found, JsonElement value) => !inner.Matches(found, value);
}

/// <summary><c>$exists</c>.</summary>
internal sealed class ExistsCondition(bool exists) : FieldCondition
{
    public override bool Matches(bool found, JsonElement value) => found == exists;
}

/// <summary><c>$eq</c>, <c>$gt</c>, <c>$gte</c>, <c>$lt</c>, <c>$lte</c>, <c>$in</c>: a test of the value, or — when the value is
/// an array and the operand is not — of any of its elements (so <c>{"tags":"x"}</c> matches <c>"tags":["x","y"]</c>).
/// A missing path never matches.</summary>
internal sealed class ValueCondition(Func<JsonElement, bool> test, bool operandIsArray) : FieldCondition
{
    public override bool Matches(bool found, JsonElement value)
    {
        if (!found) return false;
        if (test(value)) return true;
        if (operandIsArray || value.ValueKind != JsonValueKind.Array) return false;
        foreach (var item in value.EnumerateArray())
        {
            if (test(item)) return true;
        }
        return false;
    }
}
