using Nexus.Attempts;
using Nexus.Storage;

namespace Nexus.Events;

/// <summary>Hears delivery tasks that died (their last attempt failed) and hands them to the event service, which puts
/// their events in the namespace's dead letters with the last error as the reason.</summary>
internal sealed class EventDeadLetterObserver(EventService events) : ICompletionObserver
{
    public void OnStored(IReadOnlyList<StoredOutcome> outcomes)
    {
        foreach (var o in outcomes)
        {
            if (o.Kind == CompletionKind.Dead) events.TaskDied(o.Id);
        }
    }
}
