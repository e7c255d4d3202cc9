namespace Nexus.Filters;

/// <summary>A filter that cannot be parsed; <see cref="Path"/> names where in the filter the problem is
/// (for example <c>$and[1].priority.$gt</c>).</summary>
public sealed class FilterException(string path, string problem)
    : NexusException("invalid-filter", path.Length == 0 ? $"filter: {problem}" : $"filter.{path}: {problem}")
{
    /// <summary>Where in the filter the problem is; empty for the filter as a whole.</summary>
    public string Path { get; } = path;

    /// <summary>What is wrong.</summary>
    public string Problem { get; } = problem;
}
