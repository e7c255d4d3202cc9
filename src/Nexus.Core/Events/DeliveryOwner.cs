using System.Globalization;

namespace Nexus.Events;

/// <summary>
/// The owner link of a delivery in a subscription with per-key order: <c>event:{subscription id}:{key}</c>. The
/// dispatcher inserts such deliveries <see cref="Tasks.TaskState.Waiting"/> and makes the oldest waiting one of a link
/// available when none of its link is available, running or due for a retry (in the dispatch, and in the transaction
/// of each delivery's terminal change), so one key's deliveries run one at a time in log order. Unlike a workflow
/// run, this owner deletes nothing: task retention removes finished deliveries as it removes unowned tasks.
/// </summary>
public static class DeliveryOwner
{
    /// <summary>What every such owner starts with (the drivers' retention filters use it too).</summary>
    public const string Prefix = "event:";

    /// <summary>The owner of the deliveries of <paramref name="key"/> in one subscription.</summary>
    public static string For(long subscriptionId, string key) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{subscriptionId}:{key}");

    /// <summary>True when <paramref name="owner"/> is a delivery's key link.</summary>
    public static bool IsDelivery(string? owner) => owner is not null && owner.StartsWith(Prefix, StringComparison.Ordinal);
}
