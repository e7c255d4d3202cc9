namespace Nexus.Events;

/// <summary>What a subscription does with each matching event. Every delivery is one task, unique per
/// (subscription, event), so retries, backoff, lease fencing and dead letters apply to all of them.</summary>
public static class SubscriptionActions
{
    /// <summary>Run a plugin with args templated from the event (<see cref="SubscriptionRecord.Target"/> is the plugin).</summary>
    public const string Plugin = "plugin";
    /// <summary>Be read by external consumers over HTTP (batch with a visibility timeout, ack, nack, extend).</summary>
    public const string Consumer = "consumer";
    /// <summary>An in-process C# handler registered with <c>NexusBuilder.Subscribe</c> (<see cref="SubscriptionRecord.Target"/> names it).</summary>
    public const string Handler = "handler";
    /// <summary>Start a run of the workflow <see cref="SubscriptionRecord.Target"/> names, input templated from the event,
    /// once per (subscription, event).</summary>
    public const string Workflow = "workflow";

    /// <summary>True for a kind name: one of the above, or one that an <see cref="ISubscriptionAction"/> registers
    /// (1–32 lower-case letters).</summary>
    public static bool IsKind(string? kind) => kind is { Length: > 0 and <= 32 } && kind.All(char.IsAsciiLetterLower);

    /// <summary>The queue a subscription's deliveries go to: a consumer subscription has its own (<c>events.{id}</c>), so
    /// its group's consumers compete only among themselves; the others use their configured queue.</summary>
    public static string DeliveryQueue(SubscriptionRecord subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return subscription.Action == Consumer
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"events.{subscription.Id}")
            : subscription.Queue;
    }
}

/// <summary>Where a new subscription starts reading.</summary>
public enum SubscriptionStartKind
{
    /// <summary>Only events appended from now on (the default).</summary>
    New,
    /// <summary>Every event still in the log.</summary>
    All,
    /// <summary>Events after a position.</summary>
    Position,
    /// <summary>Events appended at or after a time.</summary>
    Time,
}

/// <summary>Where a new subscription starts.</summary>
/// <param name="Kind">Which start.</param>
/// <param name="Position">For <see cref="SubscriptionStartKind.Position"/>: events after this position.</param>
/// <param name="Time">For <see cref="SubscriptionStartKind.Time"/>: events at or after this time.</param>
public sealed record SubscriptionStart(SubscriptionStartKind Kind, long? Position = null, DateTimeOffset? Time = null)
{
    /// <summary>Only new events.</summary>
    public static SubscriptionStart New { get; } = new(SubscriptionStartKind.New);
    /// <summary>Every event in the log.</summary>
    public static SubscriptionStart All { get; } = new(SubscriptionStartKind.All);
}

/// <summary>A subscription to store.</summary>
public sealed record NewSubscription
{
    /// <summary>The namespace.</summary>
    public required string Namespace { get; init; }
    /// <summary>The name, unique in its namespace.</summary>
    public required string Name { get; init; }
    /// <summary>The topic pattern (NATS grammar).</summary>
    public required string Pattern { get; init; }
    /// <summary>The filter on the event (filter language, docs/filters.md) as JSON, or null for every event.</summary>
    public string? FilterJson { get; init; }
    /// <summary>The action kind (<see cref="SubscriptionActions"/>).</summary>
    public required string Action { get; init; }
    /// <summary>The plugin (plugin action), handler name (handler action), workflow (workflow action); null for consumers.</summary>
    public string? Target { get; init; }
    /// <summary>The args template (plugin action), JSON; null passes the event.</summary>
    public string? ArgsTemplateJson { get; init; }
    /// <summary>The queue the delivery tasks go to.</summary>
    public required string Queue { get; init; }
    /// <summary>Deliveries per event before it goes to the namespace's dead letters (1 or more). Default 5.</summary>
    public int MaxDeliveries { get; init; } = 5;
    /// <summary>Deliver events with the same key one after another, in log order. Default false.</summary>
    public bool OrderedByKey { get; init; }
    /// <summary>Where it starts reading.</summary>
    public SubscriptionStart Start { get; init; } = SubscriptionStart.New;
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>A stored subscription.</summary>
public sealed record SubscriptionRecord
{
    /// <summary>Its id, unique in the store.</summary>
    public required long Id { get; init; }
    /// <summary>The namespace.</summary>
    public required string Namespace { get; init; }
    /// <summary>The name.</summary>
    public required string Name { get; init; }
    /// <summary>The topic pattern.</summary>
    public required string Pattern { get; init; }
    /// <summary>The filter as JSON, or null.</summary>
    public string? FilterJson { get; init; }
    /// <summary>The action kind.</summary>
    public required string Action { get; init; }
    /// <summary>The action's target (plugin, handler, workflow), or null.</summary>
    public string? Target { get; init; }
    /// <summary>The args template, or null.</summary>
    public string? ArgsTemplateJson { get; init; }
    /// <summary>The queue of the delivery tasks.</summary>
    public required string Queue { get; init; }
    /// <summary>Deliveries per event before it is a dead letter.</summary>
    public int MaxDeliveries { get; init; }
    /// <summary>Per-key order.</summary>
    public bool OrderedByKey { get; init; }
    /// <summary>Every event at or before this cursor has been dispatched.</summary>
    public LogCursor Cursor { get; init; }
    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Raised by every cursor move, so that events dispatched again after a move back are new deliveries.</summary>
    public long Epoch { get; init; }
}
