using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Hosting;
using Nexus.Tasks;

namespace Nexus.Testing.Tests;

public sealed class NexusTestHostTests
{
    private static readonly RetryPolicy TenSecondsDoubling =
        new() { InitialDelay = TimeSpan.FromSeconds(10), Multiplier = 2, MaxDelay = TimeSpan.FromMinutes(10), Jitter = 0 };

    private static Task<NexusTestHost> StartAsync(FlakyRuns runs) =>
        NexusTestHost.StartAsync(n => n.AddPlugin<FlakyPlugin>(), s => s.AddSingleton(runs));

    [Fact]
    public async Task FailingPlugin_IsRetriedWithBackoff_DrivenOnlyByAdvance()
    {
        var runs = new FlakyRuns();
        await using var host = await StartAsync(runs);
        var t0 = host.Clock.GetUtcNow();

        var id = (await host.Tasks.SubmitAsync("test.flaky", new FlakyArgs(2), new SubmitOptions { Retry = TenSecondsDoubling, MaxAttempts = 3 })).Id;

        var first = await host.WaitUntilAsync(id, t => t.State == TaskState.Retrying && t.Errors.Count == 1);
        Assert.Equal(t0.AddSeconds(10), first.RunAt);
        await host.AdvanceAsync(TimeSpan.FromSeconds(9));
        Assert.Equal(TaskState.Retrying, (await host.Tasks.GetAsync(id))!.State);
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        var second = await host.WaitUntilAsync(id, t => t.State == TaskState.Retrying && t.Errors.Count == 2);
        Assert.Equal(t0.AddSeconds(10 + 20), second.RunAt);
        await host.AdvanceAsync(TimeSpan.FromSeconds(20));
        var done = await host.WaitAsync(id);

        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal(3, done.Attempt);
        Assert.Equal(new FlakyResult(3), JsonSerializer.Deserialize<FlakyResult>(done.ResultJson!, NexusJson.Options));
        Assert.Equal([t0, t0.AddSeconds(10), t0.AddSeconds(30)], runs.Runs.Select(r => r.At));
    }

    [Fact]
    public async Task DelayedTask_RunsOnlyAfterTheClockPassesItsRunTime()
    {
        var runs = new FlakyRuns();
        await using var host = await StartAsync(runs);
        var t0 = host.Clock.GetUtcNow();
        var canary = (await host.Tasks.SubmitAsync("test.flaky", new FlakyArgs(0))).Id;

        var id = (await host.Tasks.SubmitAsync("test.flaky", new FlakyArgs(0), new SubmitOptions { Delay = TimeSpan.FromHours(1) })).Id;

        // The canary, submitted first and due at once, shows the engine is claiming; the delayed task must still wait.
        Assert.Equal(TaskState.Succeeded, (await host.WaitAsync(canary)).State);
        var waiting = await host.Tasks.GetAsync(id);
        Assert.Equal(TaskState.Scheduled, waiting!.State);
        Assert.Equal(t0.AddHours(1), waiting.RunAt);
        await host.AdvanceAsync(TimeSpan.FromMinutes(59));
        // A second canary, claimed after the advance, shows a claim ran at t0 + 59 min and left the delayed task alone.
        var second = (await host.Tasks.SubmitAsync("test.flaky", new FlakyArgs(0))).Id;
        Assert.Equal(TaskState.Succeeded, (await host.WaitAsync(second)).State);
        Assert.Equal(TaskState.Scheduled, (await host.Tasks.GetAsync(id))!.State);

        await host.AdvanceAsync(TimeSpan.FromMinutes(1));
        var done = await host.WaitAsync(id);

        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal([(canary, t0), (second, t0.AddMinutes(59)), (id, t0.AddHours(1))], runs.Runs.Select(r => (r.Task, r.At)));
    }

    [Fact]
    public async Task AdvanceAsync_WakesTheEngine_InsteadOfLeavingTheTaskToItsNextPoll()
    {
        var runs = new FlakyRuns();
        // A poll far beyond the wait's deadline: only the wake-up can get the task claimed in time.
        await using var host = await NexusTestHost.StartAsync(
            n => n.AddPlugin<FlakyPlugin>().Configure(o => o.PollInterval = TimeSpan.FromMinutes(10)),
            s => s.AddSingleton(runs));
        var readies = new List<IReadOnlyCollection<string>?>();
        host.Services.GetRequiredService<INexusTaskSignals>().TasksReady += queues => { lock (readies) readies.Add(queues); };
        var id = (await host.Tasks.SubmitAsync("test.flaky", new FlakyArgs(0), new SubmitOptions { Delay = TimeSpan.FromMinutes(5) })).Id;
        // Once a task submitted after it has run, the claim that saw the delayed task not yet due is over: the engine sleeps.
        var canary = (await host.Tasks.SubmitAsync("test.flaky", new FlakyArgs(0))).Id;
        Assert.Equal(TaskState.Succeeded, (await host.WaitAsync(canary)).State);

        await host.AdvanceAsync(TimeSpan.FromMinutes(5));
        var done = await host.WaitAsync(id, TimeSpan.FromSeconds(20));

        Assert.Equal(TaskState.Succeeded, done.State);
        lock (readies) Assert.Contains(null, readies);
    }

    [Fact]
    public async Task Dispose_DeletesTheTemporaryDatabaseFolder()
    {
        var host = await StartAsync(new FlakyRuns());
        var folder = Path.GetDirectoryName(host.DatabasePath)!;
        Assert.True(File.Exists(host.DatabasePath));

        await host.DisposeAsync();

        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task WaitAsync_ForATaskThatCannotRunYet_TimesOutNamingTheTaskAndItsState()
    {
        await using var host = await StartAsync(new FlakyRuns());
        var id = (await host.Tasks.SubmitAsync("test.flaky", new FlakyArgs(0), new SubmitOptions { Delay = TimeSpan.FromDays(1) })).Id;

        var error = await Assert.ThrowsAsync<TimeoutException>(() => host.WaitAsync(id, TimeSpan.FromMilliseconds(200)));

        Assert.Contains($"task {id} to finish", error.Message, StringComparison.Ordinal);
        Assert.Contains("last seen: Scheduled", error.Message, StringComparison.Ordinal);
    }
}
