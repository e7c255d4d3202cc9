namespace Nexus.Events;

/// <summary>One event of the log, as stored.</summary>
public sealed record EventRecord
{
    /// <summary>Its position: unique and increasing in the order events were appended (see <see cref="LogCursor"/>).</summary>
    public required long Position { get; init; }
    /// <summary>Where a reader is once it has read this event.</summary>
    public required LogCursor Cursor { get; init; }
    /// <summary>The namespace.</summary>
    public required string Namespace { get; init; }
    /// <summary>The topic.</summary>
    public required string Topic { get; init; }
    /// <summary>The priority.</summary>
    public EventPriority Priority { get; init; } = EventPriority.Normal;
    /// <summary>The optional key (per-key order, partitioning by entity).</summary>
    public string? Key { get; init; }
    /// <summary>Headers (string to string).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>The payload, JSON text.</summary>
    public required string PayloadJson { get; init; }
    /// <summary>When it was appended (store clock).</summary>
    public required DateTimeOffset Time { get; init; }
    /// <summary>The W3C trace context of the emitter, or null.</summary>
    public string? TraceContext { get; init; }
    /// <summary>The idempotency key it was emitted with, or null.</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>An event to append, validated (see <see cref="INexusEvents"/>).</summary>
public sealed record NewEvent
{
    /// <summary>The topic.</summary>
    public required string Topic { get; init; }
    /// <summary>The payload, JSON text.</summary>
    public required string PayloadJson { get; init; }
    /// <summary>The priority. Default normal.</summary>
    public EventPriority Priority { get; init; } = EventPriority.Normal;
    /// <summary>The optional key.</summary>
    public string? Key { get; init; }
    /// <summary>Headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>An idempotency key, unique per namespace: emitting it again returns the first event's position.</summary>
    public string? IdempotencyKey { get; init; }
    /// <summary>The W3C trace context, or null.</summary>
    public string? TraceContext { get; init; }
}

/// <summary>What an append did for one event.</summary>
/// <param name="Position">The event's position (the earlier one for a repeated idempotency key).</param>
/// <param name="Created">False when the idempotency key was already used.</param>
public sealed record AppendResult(long Position, bool Created);

/// <summary>A page of the log.</summary>
/// <param name="Events">The events, in log order.</param>
/// <param name="Next">Where to continue reading (unchanged when nothing was read).</param>
public sealed record EventPage(IReadOnlyList<EventRecord> Events, LogCursor Next)
{
    /// <summary>When asked for (<see cref="Storage.ReadEventsParams.ReportHeldBack"/>): committed events after this short
    /// page wait behind the read horizon (on PostgreSQL, an older transaction is still open); nothing will announce
    /// when they can be read, so read again shortly.</summary>
    public bool HeldBack { get; init; }
}

/// <summary>A namespace.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Description">What it is for.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record NamespaceRecord(string Name, string? Description, DateTimeOffset CreatedAt);
