using Nexus.Engine;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Core.Tests.Engine;

/// <summary>One process may hold two attempts of one task: the stale one it kept running through a pause longer than
/// its lease, and the one it claimed after the rescue. Only the newer one owns the lease.</summary>
public sealed class RunningTasksTests
{
    private static RunningTask Attempt(long id, int attempt) => new(new TaskRecord
    {
        Id = id,
        Plugin = "test.plugin",
        Queue = "default",
        State = TaskState.Running,
        ArgsJson = "{}",
        Attempt = attempt,
        LeaseToken = Guid.NewGuid(),
    });

    [Fact]
    public void Add_OfANewerAttemptOfTheSameTask_TellsTheStaleOneItsLeaseIsLost_AndTakesItsPlace()
    {
        var running = new RunningTasks();
        using var stale = Attempt(7, 1);
        using var fresh = Attempt(7, 2);

        running.Add(stale);
        running.Add(fresh);

        Assert.True(stale.LeaseLost.IsCancellationRequested);
        Assert.False(fresh.LeaseLost.IsCancellationRequested);
        Assert.True(running.TryGet(7, out var current));
        Assert.Same(fresh, current);
        Assert.Equal([new LeaseRef(7, fresh.Record.LeaseToken!.Value)], running.Leases());
    }

    [Fact]
    public void Remove_OfTheStaleAttempt_KeepsTheNewerOne()
    {
        var running = new RunningTasks();
        using var stale = Attempt(7, 1);
        using var fresh = Attempt(7, 2);
        running.Add(stale);
        running.Add(fresh);

        running.Remove(stale);

        Assert.True(running.TryGet(7, out var current));
        Assert.Same(fresh, current);
        running.Remove(fresh);
        Assert.Equal(0, running.Count);
    }
}
