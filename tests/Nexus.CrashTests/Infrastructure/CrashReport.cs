using System.Globalization;
using System.Text;
using System.Text.Json;
using Nexus.CrashTests.Worker;
using Nexus.Tasks;

namespace Nexus.CrashTests.Infrastructure;

/// <summary>
/// Compares what was submitted, what the workers' histories say ran, and what the store ended with, and sorts every
/// discrepancy into one of three lists:
/// <list type="bullet">
/// <item><b>lost</b>: a submitted task missing from the store or not <c>succeeded</c> at the end;</item>
/// <item><b>duplicated</b>: one lease run twice (the same task and attempt started twice: a double claim), a result
/// kept from an attempt that no longer held the lease (a completion got past the fence), more than one finish of the
/// final attempt, or a re-run of a task the test allows to run only once;</item>
/// <item><b>unexpected</b>: tasks or history of tasks nobody submitted, a result no history shows starting, an error
/// other than <c>LeaseExpired</c>, or an attempt that was superseded without its lease having expired.</item>
/// </list>
/// </summary>
internal sealed class CrashReport
{
    private const int MaxListed = 25;

    public List<string> Lost { get; } = [];
    public List<string> Duplicated { get; } = [];
    public List<string> Unexpected { get; } = [];

    public int Submitted { get; private init; }
    public int Succeeded { get; private set; }
    public int Starts { get; private init; }

    /// <summary>Tasks that ran more than once (attempt above 1), by id.</summary>
    public SortedSet<long> Rerun { get; } = [];

    public bool Clean => Lost.Count + Duplicated.Count + Unexpected.Count == 0;

    /// <param name="submitted">Ids the test submitted (and the store acknowledged).</param>
    /// <param name="tasks">Every task in the store at the end.</param>
    /// <param name="history">Every history record of every worker.</param>
    /// <param name="mayRunAgain">Which tasks the test allows to run more than once (when their lease expired).</param>
    public static CrashReport Build(IReadOnlyCollection<long> submitted, IReadOnlyList<TaskRecord> tasks, IReadOnlyList<HistoryRecord> history, Func<TaskRecord, bool> mayRunAgain)
    {
        var report = new CrashReport { Submitted = submitted.Count, Starts = history.Count(h => h.Kind == HistoryKind.Start) };
        var wanted = submitted.ToHashSet();
        var byId = tasks.ToDictionary(t => t.Id);
        var runs = history.ToLookup(h => h.TaskId);

        foreach (var task in tasks.Where(t => !wanted.Contains(t.Id)))
        {
            report.Unexpected.Add($"task {task.Id} is in the store ({task.State.ToName()}) but was never submitted");
        }
        foreach (var id in runs.Select(g => g.Key).Where(id => !wanted.Contains(id)))
        {
            report.Unexpected.Add($"task {id} appears in the history ({Describe(runs[id])}) but was never submitted");
        }

        foreach (var id in wanted.Order())
        {
            if (!byId.TryGetValue(id, out var task))
            {
                report.Lost.Add($"task {id} is missing from the store");
                continue;
            }
            report.Check(task, [.. runs[id]], mayRunAgain);
        }
        return report;
    }

    private void Check(TaskRecord task, List<HistoryRecord> runs, Func<TaskRecord, bool> mayRunAgain)
    {
        var id = task.Id;
        var starts = runs.Where(r => r.Kind == HistoryKind.Start).ToList();
        if (task.State != TaskState.Succeeded)
        {
            Lost.Add($"task {id} ended {task.State.ToName()} (attempt {task.Attempt}, leased by {task.LeasedBy ?? "nobody"}; history: {Describe(runs)})");
        }
        else
        {
            Succeeded++;
        }
        if (task.Attempt > 1 || starts.Count > 1) Rerun.Add(id);

        foreach (var twice in starts.GroupBy(s => s.Attempt).Where(g => g.Count() > 1))
        {
            Duplicated.Add($"task {id}: attempt {twice.Key} started {twice.Count()} times ({Describe(twice)}), a double claim");
        }
        foreach (var late in starts.Where(s => s.Attempt > task.Attempt))
        {
            Unexpected.Add($"task {id}: attempt {late.Attempt} started on {late.Node} though the store says the task had only {task.Attempt} attempts");
        }

        var expired = new HashSet<int>();
        foreach (var error in task.Errors)
        {
            if (error.Type == "LeaseExpired") expired.Add(error.Attempt);
            else Unexpected.Add($"task {id}: attempt {error.Attempt} failed with {error.Type}: {error.Message}");
        }
        for (var attempt = 1; attempt < task.Attempt; attempt++)
        {
            if (!expired.Contains(attempt))
            {
                Unexpected.Add($"task {id}: attempt {attempt} was superseded by attempt {task.Attempt} without a LeaseExpired error");
            }
        }

        if (task.State == TaskState.Succeeded)
        {
            var result = task.ResultJson is null ? null : JsonSerializer.Deserialize<CrashWorkResult>(task.ResultJson, NexusJson.Options);
            if (result is null)
            {
                Unexpected.Add($"task {id} succeeded without a result");
            }
            else if (result.Attempt != task.Attempt)
            {
                Duplicated.Add($"task {id}: the store kept attempt {result.Attempt}'s result (from {result.Node}) though attempt {task.Attempt} held the lease last: a stale completion got past the fence");
            }
            else if (!starts.Any(s => s.Attempt == result.Attempt && s.Node == result.Node && s.Pid == result.Pid))
            {
                Unexpected.Add($"task {id} succeeded with the result of attempt {result.Attempt} on {result.Node} (pid {result.Pid}), which no history shows starting ({Describe(runs)})");
            }
            var finishes = runs.Count(r => r.Kind == HistoryKind.Finish && r.Attempt == task.Attempt);
            if (finishes > 1) Duplicated.Add($"task {id}: its final attempt {task.Attempt} finished {finishes} times ({Describe(runs)})");
        }

        if (Rerun.Contains(id) && !mayRunAgain(task))
        {
            Duplicated.Add($"task {id} ran again ({Describe(runs)}; errors: {string.Join("; ", task.Errors.Select(e => $"attempt {e.Attempt} {e.Type}: {e.Message}"))}) though this test allows it to run once");
        }
    }

    private static string Describe(IEnumerable<HistoryRecord> runs) =>
        string.Join(", ", runs.OrderBy(r => r.UnixMs).Select(r => $"{(r.Kind == HistoryKind.Start ? "start" : "finish")} #{r.Attempt} on {r.Node}/{r.Pid}"));

    public override string ToString()
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"submitted {Submitted}, succeeded {Succeeded}, attempts started {Starts}, tasks run more than once {Rerun.Count}");
        void List(string name, List<string> items)
        {
            if (items.Count == 0) return;
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"{name} ({items.Count}):");
            foreach (var item in items.Take(MaxListed)) text.AppendLine().Append("  ").Append(item);
            if (items.Count > MaxListed) text.AppendLine().Append(CultureInfo.InvariantCulture, $"  … and {items.Count - MaxListed} more");
        }
        List("LOST", Lost);
        List("DUPLICATED", Duplicated);
        List("UNEXPECTED", Unexpected);
        return text.ToString();
    }
}
