using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>Unique keys are unique per queue: the same key in two queues makes two tasks, so one tenant can neither
/// learn of another tenant's key nor turn its submits into no-ops (issue 15, defect 5). One-by-one, batched,
/// concurrent, and in batches large enough for a driver's bulk path (PostgreSQL's COPY).</summary>
public abstract class UniqueKeyContract : StoreContract
{
    [Fact]
    public async Task SameKey_InTwoQueues_MakesTwoTasks_AndEachQueueKeepsItsOwn()
    {
        var a = (await Store.Tasks.InsertAsync(new InsertTasksParams([Task(queue: "tenant-a", uniqueKey: "invoice-42")]) { Now = T0 }))[0];
        var b = (await Store.Tasks.InsertAsync(new InsertTasksParams([Task(queue: "tenant-b", uniqueKey: "invoice-42")]) { Now = T0 }))[0];
        var againA = (await Store.Tasks.InsertAsync(new InsertTasksParams([Task(queue: "tenant-a", uniqueKey: "invoice-42")]) { Now = T0 }))[0];
        var againB = (await Store.Tasks.InsertAsync(new InsertTasksParams([Task(queue: "tenant-b", uniqueKey: "invoice-42")]) { Now = T0 }))[0];

        Assert.True(a.Created);
        Assert.True(b.Created);
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal((a.Id, false), (againA.Id, againA.Created));
        Assert.Equal((b.Id, false), (againB.Id, againB.Created));
        Assert.Equal("tenant-a", (await GetAsync(a.Id)).Queue);
        Assert.Equal("tenant-b", (await GetAsync(b.Id)).Queue);
    }

    [Fact]
    public async Task SameKey_InTwoQueues_WithinOneBatch_MakesOneTaskPerQueue()
    {
        var results = await Store.Tasks.InsertAsync(new InsertTasksParams([
            Task(queue: "tenant-a", uniqueKey: "k"), Task(queue: "tenant-b", uniqueKey: "k"),
            Task(queue: "tenant-a", uniqueKey: "k"), Task(queue: "tenant-b", uniqueKey: "k")]) { Now = T0 });

        Assert.Equal([true, true, false, false], results.Select(r => r.Created));
        Assert.NotEqual(results[0].Id, results[1].Id);
        Assert.Equal(results[0].Id, results[2].Id);
        Assert.Equal(results[1].Id, results[3].Id);
    }

    [Fact]
    public async Task ALargeBatch_WithKeysTakenInAnotherQueue_CreatesEveryTask()
    {
        // Another tenant holds keys k0..k99 in its queue; a large batch (beyond any bulk-path threshold) with the same
        // keys in this queue, and keyless tasks, creates all of them.
        await Store.Tasks.InsertAsync(new InsertTasksParams([.. Enumerable.Range(0, 100).Select(i => Task(queue: "tenant-b", uniqueKey: $"k{i}"))]) { Now = T0 });
        var batch = Enumerable.Range(0, 500).Select(i => Task(queue: "tenant-a", uniqueKey: i < 100 ? $"k{i}" : null)).ToList();

        var results = await Store.Tasks.InsertAsync(new InsertTasksParams(batch) { Now = T0 });

        Assert.All(results, r => Assert.True(r.Created));
        Assert.Equal(500, results.Select(r => r.Id).Distinct().Count());
        var again = await Store.Tasks.InsertAsync(new InsertTasksParams(batch) { Now = T0 });
        Assert.Equal(results.Take(100).Select(r => r.Id), again.Take(100).Select(r => r.Id));
        Assert.All(again.Take(100), r => Assert.False(r.Created));
        Assert.All(again.Skip(100), r => Assert.True(r.Created));
    }

    [Fact]
    public async Task AKeylessBulkBatch_ThenTheSameKeyInEachQueue_IsOnePerQueue()
    {
        // A keyless batch large enough to take the bulk path (COPY on PostgreSQL) into both queues, then keyed submits.
        var bulk = Enumerable.Range(0, 200).Select(i => Task(queue: i % 2 == 0 ? "tenant-a" : "tenant-b")).ToList();
        Assert.All(await Store.Tasks.InsertAsync(new InsertTasksParams(bulk) { Now = T0 }), r => Assert.True(r.Created));

        var keyed = await Store.Tasks.InsertAsync(new InsertTasksParams([Task(queue: "tenant-a", uniqueKey: "after-bulk"), Task(queue: "tenant-b", uniqueKey: "after-bulk")]) { Now = T0 });

        Assert.All(keyed, r => Assert.True(r.Created));
        Assert.NotEqual(keyed[0].Id, keyed[1].Id);
    }

    [Fact]
    public async Task SameKey_FromManyConcurrentCallersInTwoQueues_CreatesExactlyOnePerQueue()
    {
        var results = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 32).Select(i =>
            Store.Tasks.InsertAsync(new InsertTasksParams([Task(queue: i % 2 == 0 ? "tenant-a" : "tenant-b", uniqueKey: "race")]) { Now = T0 })));

        var all = results.Select(r => r[0]).ToList();
        Assert.Equal(2, all.Count(r => r.Created));
        Assert.Equal(2, all.Select(r => r.Id).Distinct().Count());
        var page = await Store.Tasks.ListAsync(new TaskQuery { Limit = 100 });
        Assert.Equal(["tenant-a", "tenant-b"], page.Items.Select(t => t.Queue).Order(StringComparer.Ordinal));
    }
}
