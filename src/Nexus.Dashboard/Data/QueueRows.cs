using Nexus.Dashboard.Access;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Dashboard.Data;

/// <summary>The queues the caller may see, with their settings and task counts by state.</summary>
internal static class QueueRows
{
    public static async Task<List<(QueueInfo Info, IReadOnlyDictionary<TaskState, long> Counts)>> LoadRawAsync(INexusStore store, IDashboardUser caller, CancellationToken cancellationToken)
    {
        var settings = await store.Queues.ListAsync(cancellationToken);
        var counts = (await store.Tasks.CountAsync(cancellationToken)).ToDictionary(c => c.Queue, c => c.Counts, StringComparer.Ordinal);
        return [.. settings.Where(q => caller.CanUse(q.Name)).OrderBy(q => q.Name, StringComparer.Ordinal)
            .Select(q => (q, counts.GetValueOrDefault(q.Name) ?? new Dictionary<TaskState, long>()))];
    }
}
