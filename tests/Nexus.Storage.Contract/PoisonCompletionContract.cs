using Microsoft.Extensions.DependencyInjection;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>A completion the store refuses (here: an owned-task hook that throws for one task) never holds back the
/// completions written beside it, and ends as a dead task naming the refusal instead of being rescued and run again
/// forever.</summary>
public abstract class PoisonCompletionContract : EngineHarness
{
    [Fact]
    public async Task ARefusedCompletion_IsIsolatedFromItsBatch_AndStoredDeadWithTheReason()
    {
        var hook = new PoisonHook();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CompletionGate = gate; // hold the first write until all eight outcomes queue up: one batch
        var (_, tasks) = await StartAsync(services: s => s.AddSingleton<IOwnedTaskHook>(hook));
        var ids = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add((await tasks.SubmitAsync("test.probe", new ProbeArgs { Value = $"v{i}" }, new SubmitOptions { Owner = $"run:1/s{i}", MaxAttempts = 5 })).Id);
        }
        hook.Poison = ids[5];
        await Testing.Eventually.WithinAsync(CompletionWriteEntered.Task, because: "the first completion write");
        gate.SetResult();

        foreach (var id in ids.Where(id => id != ids[5]))
        {
            Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(tasks, id)).State);
        }
        var poisoned = await WaitFinishedAsync(tasks, ids[5]);
        Assert.Equal(TaskState.Dead, poisoned.State);
        var error = Assert.Single(poisoned.Errors);
        Assert.Equal("OutcomeRefused", error.Type);
        Assert.Contains("the planner refused task", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Attempt);
        Assert.Equal(1, Probe.Runs[ids[5]]); // never rescued and run again
        Assert.Equal(7, hook.Stored.Count);
    }

    private sealed class PoisonHook : IOwnedTaskHook
    {
        public long Poison { get; set; } = -1;

        public System.Collections.Concurrent.ConcurrentBag<long> Stored { get; } = [];

        public Task OnChangedAsync(IStoreTransaction transaction, IReadOnlyList<OwnedTaskChange> changes, CancellationToken cancellationToken)
        {
            var poison = changes.FirstOrDefault(c => c.Id == Poison && c.State == TaskState.Succeeded);
            if (poison is not null) throw new InvalidOperationException($"the planner refused task {poison.Id}");
            foreach (var c in changes.Where(c => c.State == TaskState.Succeeded)) Stored.Add(c.Id);
            return Task.CompletedTask;
        }
    }
}
