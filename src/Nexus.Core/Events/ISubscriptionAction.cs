using Nexus.Tasks;

namespace Nexus.Events;

/// <summary>
/// A kind of subscription action beyond the built-in ones (<c>plugin</c>, <c>consumer</c>, <c>handler</c>); for
/// example starting a workflow. Register it in DI (<c>services.AddSingleton&lt;ISubscriptionAction, MyAction&gt;()</c>).
/// Each delivery is one task: the dispatcher gives it the unique key (one per subscription and event), the event's
/// priority, the subscription's queue and maximum deliveries, and the event's trace context.
/// </summary>
public interface ISubscriptionAction
{
    /// <summary>The kind name subscriptions use (1–32 lower-case letters), e.g. <c>workflow</c>.</summary>
    string Kind { get; }

    /// <summary>Checks a subscription of this kind before it is stored; throws <see cref="TaskValidationException"/>
    /// naming the field (<c>target</c>, <c>argsTemplate</c>).</summary>
    void Validate(SubscriptionRequest subscription);

    /// <summary>The delivery task for one event: a plugin and its args. <paramref name="eventJson"/> is the event document
    /// (the same one filters and templates see).</summary>
    TaskRequest Plan(SubscriptionRecord subscription, EventRecord e, string eventJson);
}
