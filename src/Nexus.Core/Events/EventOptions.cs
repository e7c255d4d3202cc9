namespace Nexus.Events;

/// <summary>Settings of the event log and its dispatcher (<c>Nexus:Events</c> in configuration).</summary>
public sealed class EventOptions
{
    /// <summary>Run the delivery dispatcher on this node (it also needs <see cref="Hosting.NexusOptions.RunWorkers"/>).
    /// Several nodes may run it: each subscription is dispatched by one of them at a time. Default true.</summary>
    public bool Dispatch { get; set; } = true;
    /// <summary>How often the dispatcher looks at the log without a wake-up (an emit on this node, or on PostgreSQL a
    /// NOTIFY from any node, wakes it at once). Default 1 s.</summary>
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>How often this node's live reader of a namespace (behind WebSocket, SSE, GraphQL subscriptions and watches)
    /// looks at the log without a wake-up (a write on this node, or on PostgreSQL a NOTIFY from any node, wakes it at
    /// once). Default 1 s.</summary>
    public TimeSpan LiveInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Most events read per subscription in one dispatch transaction. Default 500.</summary>
    public int DispatchBatch { get; set; } = 500;
    /// <summary>Most subscriptions in one dispatch transaction. Default 50.</summary>
    public int DispatchSubscriptions { get; set; } = 50;
    /// <summary>How long events are kept. Default 7 days.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
    /// <summary>How often the leader applies retention and (PostgreSQL) makes partitions ahead. Default 10 minutes.</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>Days of partitions made ahead (PostgreSQL). Default 3.</summary>
    public int PartitionsAhead { get; set; } = 3;
    /// <summary>How often the maintenance leader measures every subscription's lag for the
    /// <c>nexus_events_subscription_lag</c> gauges. Default 15 s.</summary>
    public TimeSpan LagInterval { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>Largest payload accepted, in bytes of JSON. Default 256 KiB.</summary>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting when one is out of range.</summary>
    public void Validate()
    {
        if (DispatchInterval <= TimeSpan.Zero) throw new ArgumentException("Nexus:Events:DispatchInterval must be positive.");
        if (LiveInterval <= TimeSpan.Zero) throw new ArgumentException("Nexus:Events:LiveInterval must be positive.");
        if (DispatchBatch is < 1 or > 10_000) throw new ArgumentException("Nexus:Events:DispatchBatch must be 1–10000.");
        if (DispatchSubscriptions is < 1 or > 1000) throw new ArgumentException("Nexus:Events:DispatchSubscriptions must be 1–1000.");
        if (Retention <= TimeSpan.Zero) throw new ArgumentException("Nexus:Events:Retention must be positive.");
        if (MaintenanceInterval <= TimeSpan.Zero) throw new ArgumentException("Nexus:Events:MaintenanceInterval must be positive.");
        if (LagInterval <= TimeSpan.Zero) throw new ArgumentException("Nexus:Events:LagInterval must be positive.");
        if (PartitionsAhead is < 1 or > 60) throw new ArgumentException("Nexus:Events:PartitionsAhead must be 1–60.");
        if (MaxPayloadBytes is < 1 or > 16 << 20) throw new ArgumentException("Nexus:Events:MaxPayloadBytes must be 1 B–16 MiB.");
    }
}
