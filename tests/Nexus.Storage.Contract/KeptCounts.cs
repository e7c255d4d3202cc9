using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary>Checks the counts by queue and state a store keeps incrementally (<see cref="ITaskStore.CountAsync"/>)
/// against the same counts taken from the table (<see cref="ITaskStore.CountMatchingAsync"/>, which counts rows).</summary>
public static class KeptCounts
{
    /// <summary>Throws naming every (queue, state) whose kept count differs from the table's. The two are read one
    /// after the other, so while tasks still move (a host's last completions) they may differ for a moment: the check
    /// is repeated until they agree, and a count that stays wrong fails at the deadline.</summary>
    public static async Task AssertMatchTheTableAsync(INexusStore store, params string[] queues)
    {
        ArgumentNullException.ThrowIfNull(store);
        await Eventually.UntilAsync(() => DifferencesAsync(store, queues), wrong => wrong.Count == 0,
            because: "the kept counts to equal the table's", describe: wrong => string.Join("; ", wrong));
    }

    private static async Task<List<string>> DifferencesAsync(INexusStore store, string[] queues)
    {
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
        return wrong;
    }
}
