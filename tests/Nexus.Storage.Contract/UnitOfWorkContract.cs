using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>One unit of work on both drivers: writes of a work commit together or not at all, reads inside see them,
/// a refused call inside leaves nothing and the work goes on; owned-task hooks run inside the transaction of the
/// change, their writes commit with it, and a hook that throws undoes the change.</summary>
public abstract class UnitOfWorkContract : StoreContract
{
    private static NewTask Owned(string owner, bool waiting = false) => Task() with { Owner = owner, Waiting = waiting };

    [Fact]
    public async Task WritesOfOneWork_CommitTogether_AndReadsInsideSeeThem()
    {
        var (first, second, seenInside, seenOutside) = await Store.InTransactionAsync(async (tx, ct) =>
        {
            var ids = await tx.Tasks.InsertAsync(new InsertTasksParams([Task(), Task() with { Waiting = true }]) { Now = T0 }, ct);
            Assert.Equal(1, await tx.Tasks.ReleaseAsync(new ReleaseParams([ids[1].Id]) { Now = T0 }, ct));
            var inside = await tx.Tasks.GetAsync(ids[1].Id, ct);
            var outside = await Store.Tasks.GetAsync(ids[0].Id, ct); // another connection: not committed yet
            return (ids[0].Id, ids[1].Id, inside?.State, outside);
        });

        Assert.Equal(TaskState.Available, seenInside);
        Assert.Null(seenOutside);
        Assert.Equal(TaskState.Available, (await GetAsync(first)).State);
        Assert.Equal(TaskState.Available, (await GetAsync(second)).State);
    }

    [Fact]
    public async Task AnExceptionInTheWork_RollsBackEveryWriteOfIt_AndIsRethrown()
    {
        var kept = await InsertAsync(Task() with { Waiting = true });
        long inserted = 0;

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.InTransactionAsync<int>(async (tx, ct) =>
        {
            inserted = (await tx.Tasks.InsertAsync(new InsertTasksParams([Task()]) { Now = T0 }, ct))[0].Id;
            await tx.Tasks.ReleaseAsync(new ReleaseParams([kept]) { Now = T0 }, ct);
            throw new InvalidOperationException("changed my mind");
        }));

        Assert.Equal("changed my mind", ex.Message);
        Assert.True(inserted > 0);
        Assert.Null(await Store.Tasks.GetAsync(inserted));
        Assert.Equal(TaskState.Waiting, (await GetAsync(kept)).State);
        Assert.Single((await Store.Tasks.ListAsync(new TaskQuery { Limit = 10 })).Items);
    }

    [Fact]
    public async Task ARefusedCallInside_LeavesNothing_AndTheWorkGoesOn()
    {
        await Store.Queues.ConfigureAsync("bounded", maxConcurrency: null, maxBacklog: 1);

        var id = await Store.InTransactionAsync(async (tx, ct) =>
        {
            await Assert.ThrowsAsync<QueueFullException>(() =>
                tx.Tasks.InsertAsync(new InsertTasksParams([Task(queue: "bounded"), Task(queue: "bounded")]) { Now = T0 }, ct));
            return (await tx.Tasks.InsertAsync(new InsertTasksParams([Task(queue: "bounded")]) { Now = T0 }, ct))[0].Id;
        });

        var all = (await Store.Tasks.ListAsync(new TaskQuery { Limit = 10 })).Items;
        Assert.Equal([id], all.Select(t => t.Id));
    }

    [Fact]
    public async Task AHook_HearsOwnedCompletionsInsideTheirTransaction_AndItsWritesCommitWithThem()
    {
        var next = await InsertAsync(Owned("run:1/b", waiting: true));
        var hook = new ReleasingHook(next);
        Store.Hooks.Add(hook);
        await InsertAsync(Owned("run:1/a"));
        await InsertAsync(Task()); // not owned: never reaches the hook
        var claimed = await ClaimAsync(10);
        Assert.Equal(2, claimed.Count);

        var accepted = await Store.Tasks.CompleteAsync(new CompleteParams(
            [.. claimed.Select(t => new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = """{"n":1}""" })]) { Now = T0 });

        Assert.All(accepted, Assert.True);
        var change = Assert.Single(Assert.Single(hook.Calls));
        var owned = claimed.Single(t => t.Owner is not null);
        Assert.Equal((owned.Id, "run:1/a", TaskState.Succeeded, 1, """{"n":1}"""), (change.Id, change.Owner, change.State, change.Attempt, change.ResultJson));
        Assert.Equal(("test.echo", "default"), (change.Plugin, change.Queue));
        Assert.Equal(TaskState.Available, (await GetAsync(next)).State);
    }

    [Fact]
    public async Task CompletionsMarkedUnowned_AreStored_AndAnOwnedOneAmongThemStillReachesTheHook()
    {
        var next = await InsertAsync(Owned("run:5/b", waiting: true));
        var hook = new ReleasingHook(next);
        Store.Hooks.Add(hook);
        var plain = await InsertAsync(Task());
        await InsertAsync(Owned("run:5/a"));
        var claimed = await ClaimAsync(10);
        Assert.Equal(2, claimed.Count);

        // Unowned is a hint a caller takes from the claimed record; a wrong one must not lose the owner's hook.
        var accepted = await Store.Tasks.CompleteAsync(new CompleteParams(
            [.. claimed.Select(t => new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = "{}", Unowned = true })]) { Now = T0 });

        Assert.All(accepted, Assert.True);
        Assert.Equal(TaskState.Succeeded, (await GetAsync(plain)).State);
        var change = Assert.Single(Assert.Single(hook.Calls));
        Assert.Equal("run:5/a", change.Owner);
        Assert.Equal(TaskState.Available, (await GetAsync(next)).State);
    }

    [Fact]
    public async Task AHookThatThrows_UndoesTheCompletion_WhichCanBeWrittenAgain()
    {
        var hook = new ThrowingHook();
        Store.Hooks.Add(hook);
        await InsertAsync(Owned("run:2/a"));
        var task = await ClaimOneAsync();
        var completion = new TaskCompletion(task.Id, task.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = "{}" };

        await Assert.ThrowsAsync<InvalidOperationException>(() => CompleteAsync(completion));
        var still = await GetAsync(task.Id);
        Assert.Equal((TaskState.Running, task.LeaseToken), (still.State, still.LeaseToken));

        hook.Throw = false;
        Assert.True(await CompleteAsync(completion));
        Assert.Equal(TaskState.Succeeded, (await GetAsync(task.Id)).State);
    }

    [Fact]
    public async Task Hooks_HearFailuresRescuesCancelsAndRetries_OfOwnedTasks()
    {
        var hook = new RecordingHook();
        Store.Hooks.Add(hook);
        var failing = await InsertAsync(Owned("run:3/fail") with { MaxAttempts = 1 });
        var t = await ClaimOneAsync();
        Assert.True(await CompleteAsync(new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Dead) { Error = Error(1) }));
        var lost = await InsertAsync(Owned("run:3/lost") with { MaxAttempts = 1 });
        await ClaimOneAsync(lease: TimeSpan.FromSeconds(1));
        await Store.Tasks.RescueAsync(new RescueParams(10) { Now = T0.AddMinutes(1) });
        var waiting = await InsertAsync(Owned("run:3/wait", waiting: true));
        await Store.Tasks.CancelAsync(new TaskActionParams(waiting) { Now = T0 });
        await Store.Tasks.RetryAsync(new TaskActionParams(failing) { Now = T0 });
        await Store.Tasks.RetryManyAsync(new BulkTaskParams(new TaskFilter { State = TaskState.Dead }, 10) { Now = T0 });

        var seen = hook.Changes.Select(c => (c.Id, c.State)).ToList();
        Assert.Equal([(failing, TaskState.Dead), (lost, TaskState.Dead), (waiting, TaskState.Cancelled), (failing, TaskState.Available), (lost, TaskState.Available)], seen);
        Assert.Equal("boom", hook.Changes[0].Error?.Message);
        Assert.Equal("LeaseExpired", hook.Changes[1].Error?.Type);
    }

    [Fact]
    public async Task BulkDelete_LeavesOwnedTasksToTheirOwner()
    {
        var owned = await InsertAsync(Owned("run:4/a"));
        var plain = await InsertAsync(Task());

        Assert.Equal(1, await Store.Tasks.DeleteManyAsync(new BulkTaskParams(new TaskFilter(), 10) { Now = T0 }));

        Assert.NotNull(await Store.Tasks.GetAsync(owned));
        Assert.Null(await Store.Tasks.GetAsync(plain));
    }

    private sealed class ReleasingHook(long next) : IOwnedTaskHook
    {
        public List<IReadOnlyList<OwnedTaskChange>> Calls { get; } = [];

        public async Task OnChangedAsync(IStoreTransaction transaction, IReadOnlyList<OwnedTaskChange> changes, CancellationToken cancellationToken)
        {
            Calls.Add(changes);
            if (changes.Any(c => c.State == TaskState.Succeeded))
            {
                await transaction.Tasks.ReleaseAsync(new ReleaseParams([next]) { Now = T0 }, cancellationToken);
            }
        }
    }

    private sealed class ThrowingHook : IOwnedTaskHook
    {
        public bool Throw { get; set; } = true;

        public Task OnChangedAsync(IStoreTransaction transaction, IReadOnlyList<OwnedTaskChange> changes, CancellationToken cancellationToken) =>
            Throw ? throw new InvalidOperationException("the planner failed") : System.Threading.Tasks.Task.CompletedTask;
    }

    private sealed class RecordingHook : IOwnedTaskHook
    {
        public List<OwnedTaskChange> Changes { get; } = [];

        public Task OnChangedAsync(IStoreTransaction transaction, IReadOnlyList<OwnedTaskChange> changes, CancellationToken cancellationToken)
        {
            Changes.AddRange(changes);
            return System.Threading.Tasks.Task.CompletedTask;
        }
    }
}
