using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>Checks the counts by queue and state a store keeps incrementally (<see cref="ITaskStore.CountAsync"/>)
/// against the same counts taken from the table (<see cref="ITaskStore.CountMatchingAsync"/>, which counts rows).</summary>
public static class KeptCounts
{
    /// <summary>Throws naming every (queue, state) whose kept count differs from the table's.</summary>
    public static async Task AssertMatchTheTableAsync(INexusStore store, params string[] queues)
    {
        ArgumentNullException.ThrowIfNull(store);
        var kept = await store.Tasks.CountAsync();
        var wrong = new List<string>();
        foreach (var queue in queues.Union(kept.Select(k => k.Queue), StringComparer.Ordinal))
        {
            foreach (var state in TaskStates.All)
            {
                var counted = await store.Tasks.CountMatchingAsync(new TaskCountParams(new TaskFilter { Queue = queue, State = state }, TaskCountParams.MaxCap));
                var held = kept.SingleOrDefault(k => k.Queue == queue)?.Counts.GetValueOrDefault(state) ?? 0;
                if (held != counted) wrong.Add($"{queue}/{state.ToName()}: kept {held}, table {counted}");
            }
        }
        Assert.True(wrong.Count == 0, "the kept counts differ from the table: " + string.Join("; ", wrong));
    }
}
