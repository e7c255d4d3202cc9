using System.Text.Json;
using Nexus.Plugins;

namespace Nexus.Events;

/// <summary>One delivery of an event to an in-process handler.</summary>
/// <param name="Event">The event.</param>
/// <param name="Subscription">The handler's subscription name.</param>
/// <param name="Delivery">Which delivery this is, 1-based (a failed handler is retried with backoff).</param>
public sealed record EventDelivery(EventRecord Event, string Subscription, int Delivery);

/// <summary>An in-process handler, registered with <c>NexusBuilder.Subscribe</c>: a durable subscription whose
/// deliveries are tasks of the built-in plugin <c>nexus.event-handler</c>, so a handler that throws is retried with
/// backoff and, after <see cref="MaxDeliveries"/>, the event goes to the namespace's dead letters.</summary>
public sealed class EventHandlerOptions
{
    /// <summary>The namespace. Default <c>default</c>.</summary>
    public string Namespace { get; set; } = Names.DefaultNamespace;
    /// <summary>The subscription's name. Default: made from the pattern (<c>user.*</c> → <c>handler-user-star</c>).</summary>
    public string? Name { get; set; }
    /// <summary>A filter (docs/filters.md) over the event document, or null.</summary>
    public string? Filter { get; set; }
    /// <summary>Deliveries before the event is a dead letter. Default 5.</summary>
    public int MaxDeliveries { get; set; } = 5;
    /// <summary>The queue of the delivery tasks. Default <c>default</c>.</summary>
    public string Queue { get; set; } = Tasks.QueueName.Default;
    /// <summary>Where a new subscription starts. Default: new events.</summary>
    public SubscriptionStart Start { get; set; } = SubscriptionStart.New;
    /// <summary>Per-key order: events with the same key are handled one at a time, in log order. Default false.</summary>
    public bool OrderedByKey { get; set; }
}

/// <summary>A registered handler.</summary>
internal sealed record EventHandlerRegistration(string Pattern, Func<EventDelivery, CancellationToken, Task> Handler, EventHandlerOptions Options)
{
    public string Name { get; } = Options.Name ?? DefaultName(Pattern);

    /// <summary>The registrations of DI-registered <see cref="IEventHook"/>s, checked as <c>Subscribe</c> checks its own.</summary>
    public static IEnumerable<EventHandlerRegistration> FromHooks(IEnumerable<IEventHook> hooks)
    {
        foreach (var hook in hooks)
        {
            TopicPattern.Parse(hook.Pattern, $"event hook {hook.GetType().Name}: pattern");
            Names.Subscription(hook.Name, $"event hook {hook.GetType().Name}: name");
            Names.Namespace(hook.Namespace, $"event hook {hook.GetType().Name}: namespace");
            yield return new EventHandlerRegistration(hook.Pattern, hook.OnEventAsync,
                new EventHandlerOptions { Name = hook.Name, Namespace = hook.Namespace, MaxDeliveries = hook.MaxDeliveries });
        }
    }

    public static string DefaultName(string pattern)
    {
        var name = "handler-" + pattern.Replace("$", "sys-", StringComparison.Ordinal).Replace("*", "star", StringComparison.Ordinal)
            .Replace(">", "rest", StringComparison.Ordinal).Replace('.', '-');
        return name.Length <= 64 ? name : name[..64];
    }
}

/// <summary>The handlers of this process, by subscription name.</summary>
internal sealed class EventHandlerRegistry(IEnumerable<EventHandlerRegistration> registrations)
{
    private readonly Dictionary<string, EventHandlerRegistration> _byName = registrations.ToDictionary(r => r.Options.Namespace + "/" + r.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<EventHandlerRegistration> All => _byName.Values;

    public EventHandlerRegistration? Find(string ns, string name) => _byName.GetValueOrDefault(ns + "/" + name);
}

/// <summary>Args of the handler plugin: which handler, and the event document.</summary>
/// <param name="Handler">The handler's subscription name.</param>
/// <param name="Event">The event document (<see cref="EventDocument"/>).</param>
public sealed record EventHandlerArgs(string Handler, JsonElement Event);

/// <summary>Runs an in-process handler for one delivery.</summary>
[TaskPlugin(Name, Description = "Delivers an event to an in-process handler registered with NexusBuilder.Subscribe.", Version = "1.0.0")]
internal sealed class EventHandlerPlugin(EventHandlerRegistry registry) : ITaskPlugin<EventHandlerArgs, bool>
{
    public const string Name = "nexus.event-handler";

    public async ValueTask<bool> ExecuteAsync(EventHandlerArgs args, TaskContext context)
    {
        var e = EventDocument.Parse(args.Event);
        var handler = registry.Find(e.Namespace, args.Handler)
            ?? throw new InvalidOperationException($"No handler '{args.Handler}' of namespace '{e.Namespace}' is registered in this process.");
        await handler.Handler(new EventDelivery(e, args.Handler, context.Attempt), context.CancellationToken).ConfigureAwait(false);
        return true;
    }
}
