namespace Nexus.Events;

/// <summary>
/// A plugin hook "on events" (seed 003's hook system), registered through DI
/// (<c>services.AddSingleton&lt;IEventHook, AuditHook&gt;()</c>): like <see cref="Hosting.NexusBuilder.Subscribe"/>, each
/// hook is a durable subscription of <see cref="Pattern"/> in <see cref="Namespace"/>, made at start if missing, whose
/// deliveries are tasks of the built-in plugin <c>nexus.event-handler</c> — a hook that throws is retried with backoff
/// and, after <see cref="MaxDeliveries"/>, leaves a dead letter. Hooks run on the nodes whose DI registers them (a
/// delivery claimed by a node without the hook fails there and is retried).
/// </summary>
public interface IEventHook
{
    /// <summary>The subscription's name (1–64 letters, digits, <c>_ . -</c>), unique in its namespace.</summary>
    string Name { get; }

    /// <summary>The topic pattern (NATS grammar: <c>*</c> one segment, <c>&gt;</c> the rest).</summary>
    string Pattern { get; }

    /// <summary>The namespace. Default <c>default</c>.</summary>
    string Namespace => Names.DefaultNamespace;

    /// <summary>Deliveries before the event is a dead letter. Default 5.</summary>
    int MaxDeliveries => 5;

    /// <summary>Called for each matching event (at least once: make it idempotent).</summary>
    Task OnEventAsync(EventDelivery delivery, CancellationToken cancellationToken);
}
