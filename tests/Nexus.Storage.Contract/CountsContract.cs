using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>The counts by queue and state that the store keeps incrementally, through the paths the property test of
/// the state machine does not take one task at a time: batches large enough for a driver's bulk path (PostgreSQL's
/// COPY), unique keys that already exist (in the batch and in the table), batched claims and completions of every
/// outcome, and a unit of work that rolls back.</summary>
public abstract class CountsContract : StoreContract
{
    [Fact]
    public async Task BulkInserts_DuplicateKeys_BatchedClaimsAndCompletions_KeepTheCountsOfTheTable()
    {
        var batch = Enumerable.Range(0, 1200).Select(i => Task(queue: i % 3 == 0 ? "bulk-b" : "bulk-a", delay: i % 10 == 0 ? TimeSpan.FromHours(1) : null)).ToList();
        await Store.Tasks.InsertAsync(new InsertTasksParams(batch) { Now = T0 });
        var keyed = Enumerable.Range(0, 600).Select(i => Task(queue: "bulk-a", uniqueKey: $"k{i % 300}")).ToList();
        await Store.Tasks.InsertAsync(new InsertTasksParams(keyed) { Now = T0 });
        await Store.Tasks.InsertAsync(new InsertTasksParams(keyed) { Now = T0 });
        await KeptCounts.AssertMatchTheTableAsync(Store, "bulk-a", "bulk-b");

        var claimed = await Store.Tasks.ClaimAsync(new ClaimParams("node-c", 900, TimeSpan.FromMinutes(1)) { Now = T0 });
        Assert.Equal(900, claimed.Count);
        var kinds = new[] { CompletionKind.Succeeded, CompletionKind.Retry, CompletionKind.Dead, CompletionKind.Cancelled, CompletionKind.Snoozed, CompletionKind.Released };
        var completions = claimed.Take(780).Select((t, i) => new TaskCompletion(t.Id, t.LeaseToken!.Value, kinds[i % kinds.Length])
        {
            ResultJson = "1",
            Error = new AttemptError(t.Attempt, T0, "X", "x", null),
        }).ToList();
        await Store.Tasks.CompleteAsync(new CompleteParams(completions) { Now = T0 });
        await KeptCounts.AssertMatchTheTableAsync(Store, "bulk-a", "bulk-b");

        await Store.Tasks.RescueAsync(new RescueParams(1000) { Now = T0.AddMinutes(5) });
        Assert.Equal(100, await Store.Tasks.DeleteManyAsync(new BulkTaskParams(new TaskFilter { State = TaskState.Succeeded }, 100)));
        await KeptCounts.AssertMatchTheTableAsync(Store, "bulk-a", "bulk-b");
    }

    [Fact]
    public async Task AUnitOfWorkThatRollsBack_LeavesTheCountsAsTheyWere()
    {
        await Store.Tasks.InsertAsync(new InsertTasksParams([Task(queue: "uow"), Task(queue: "uow")]) { Now = T0 });
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.InTransactionAsync<int>(async (tx, ct) =>
        {
            await tx.Tasks.InsertAsync(new InsertTasksParams([.. Enumerable.Range(0, 700).Select(_ => Task(queue: "uow"))]) { Now = T0 }, ct);
            throw new InvalidOperationException("roll back");
        }));

        var counts = (await Store.Tasks.CountAsync()).Single(q => q.Queue == "uow").Counts;
        Assert.Equal(2, counts[TaskState.Available]);
        await KeptCounts.AssertMatchTheTableAsync(Store, "uow");
    }
}
