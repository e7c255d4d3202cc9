using System.Text.Json;

namespace Nexus.Filters;

/// <summary>One node of a parsed filter.</summary>
internal abstract class FilterNode
{
    public abstract bool Matches(JsonElement document);
}

/// <summary><c>$and</c> (also the implicit AND of an object's keys).</summary>
internal sealed class AndNode(IReadOnlyList<FilterNode> all) : FilterNode
{
    public override bool Matches(JsonElement document)
    {
        foreach (var node in all)
        {
            if (!node.Matches(document)) return false;
        }
        return true;
    }
}

/// <summary><c>$or</c>.</summary>
internal sealed class OrNode(IReadOnlyList<FilterNode> any) : FilterNode
{
    public override bool Matches(JsonElement document)
    {
        foreach (var node in any)
        {
            if (node.Matches(document)) return true;
        }
        return false;
    }
}

/// <summary><c>$not</c>.</summary>
internal sealed class NotNode(FilterNode inner) : FilterNode
{
    public override bool Matches(JsonElement document) => !inner.Matches(document);
}

/// <summary>A condition on the value at a path.</summary>
internal sealed class PathNode(string[] path, FieldCondition condition) : FilterNode
{
    public override bool Matches(JsonElement document)
    {
        var found = JsonPaths.TryResolve(document, path, out var value);
        return condition.Matches(found, value);
    }
}
