namespace Nexus.Server.GraphQl;

/// <summary><c>Nexus:GraphQl</c>: the limits of <c>/graphql</c>.</summary>
internal sealed class GraphQlOptions
{
    public const string Section = "Nexus:GraphQl";

    /// <summary>The deepest selection a query may have (fields inside fields); 15 lets the standard introspection query of
    /// GraphiQL and code generators (13 deep) through.</summary>
    public int MaxDepth { get; set; } = 15;

    /// <summary>The highest complexity a query may have (GraphQL.NET's analyzer: every field counts, lists multiply).</summary>
    public int MaxComplexity { get; set; } = 5_000;

    /// <summary>How long a WebSocket may wait before its <c>connection_init</c> (then it is closed with 4408).</summary>
    public TimeSpan ConnectionInitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest query text accepted, in characters.</summary>
    public int MaxQueryLength { get; set; } = 32 * 1024;

    /// <summary>How often <c>subscription { task(id) }</c> reads a task that is not changing (sooner while it changes).</summary>
    public TimeSpan TaskWatchInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public void Validate()
    {
        if (TaskWatchInterval < TimeSpan.FromMilliseconds(10) || TaskWatchInterval > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"{Section}:TaskWatchInterval must be 10 ms – 1 min (was {TaskWatchInterval}).");
        }
        if (MaxDepth is < 2 or > 100) throw new InvalidOperationException($"{Section}:MaxDepth must be 2–100 (was {MaxDepth}).");
        if (MaxComplexity is < 10) throw new InvalidOperationException($"{Section}:MaxComplexity must be at least 10 (was {MaxComplexity}).");
        if (ConnectionInitTimeout < TimeSpan.FromMilliseconds(100) || ConnectionInitTimeout > TimeSpan.FromMinutes(5))
        {
            throw new InvalidOperationException($"{Section}:ConnectionInitTimeout must be 100 ms – 5 min (was {ConnectionInitTimeout}).");
        }
        if (MaxQueryLength is < 256) throw new InvalidOperationException($"{Section}:MaxQueryLength must be at least 256 (was {MaxQueryLength}).");
    }
}
