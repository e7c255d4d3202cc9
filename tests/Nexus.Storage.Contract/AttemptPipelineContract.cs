using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Attempts;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary>The one attempt pipeline on the driver under test: outcomes reported by an external runner are decided
/// exactly as the engine's own (the plugin's retry policy included), and observers hear every stored outcome,
/// whoever ran the attempt.</summary>
public abstract class AttemptPipelineContract : EngineHarness
{
    private static readonly RetryPolicy Hourly = new() { InitialDelay = TimeSpan.FromHours(2), MaxDelay = TimeSpan.FromHours(3), Jitter = 0 };

    private static string Args(ProbeMode mode) => JsonSerializer.Serialize(new ProbeArgs { Mode = mode }, NexusJson.Options);

    private async Task<TaskRecord> LeaseExternallyAsync(long id)
    {
        var claimed = await LastStore!.Tasks.ClaimAsync(new ClaimParams("external-runner", 10, TimeSpan.FromSeconds(30)) { Plugins = ["test.probe"] });
        return Assert.Single(claimed, t => t.Id == id);
    }

    [Fact]
    public async Task AnExternalFailure_IsRetriedUnderThePluginsOwnPolicy()
    {
        ProbeRetry = Hourly;
        var (host, tasks) = await StartAsync(o => o.RunWorkers = false);
        var attempts = host.Services.GetRequiredService<INexusAttempts>();
        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed))).Id;
        var leased = await LeaseExternallyAsync(id);
        attempts.Started([leased]);

        var accepted = await attempts.CompleteAsync([new ReportedOutcome(id, leased.LeaseToken!.Value, AttemptOutcome.Failed(new AttemptFailure("IOException", "disk full")))]);

        Assert.True(Assert.Single(accepted));
        var task = (await tasks.GetAsync(id))!;
        Assert.Equal(TaskState.Retrying, task.State);
        var wait = task.RunAt - task.Errors[0].At;
        Assert.InRange(wait, TimeSpan.FromHours(2) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        Assert.Equal(("IOException", "disk full", 1), (task.Errors[0].Type, task.Errors[0].Message, task.Errors[0].Attempt));
    }

    [Fact]
    public async Task Decisions_AreMarkedUnowned_OnlyForTasksWhoseRecordHasNoOwner()
    {
        var (host, tasks) = await StartAsync(o => o.RunWorkers = false);
        var attempts = host.Services.GetRequiredService<INexusAttempts>();
        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed))).Id;
        var leased = await LeaseExternallyAsync(id);

        var plain = attempts.Decide(leased, AttemptOutcome.Succeeded("1"));
        var owned = attempts.Decide(leased with { Owner = "run:9/a" }, AttemptOutcome.Failed(new AttemptFailure("X", "y")));

        Assert.True(plain.Unowned);
        Assert.False(owned.Unowned);
        Assert.False(new TaskCompletion(id, Guid.NewGuid(), CompletionKind.Succeeded).Unowned); // the safe default
    }

    [Fact]
    public async Task ANonRetryableExternalFailure_IsDeadAtOnce_AndAStaleTokenIsRefusedUnwritten()
    {
        var (host, tasks) = await StartAsync(o => o.RunWorkers = false);
        var attempts = host.Services.GetRequiredService<INexusAttempts>();
        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed))).Id;
        var leased = await LeaseExternallyAsync(id);

        // Not started through this pipeline (as if leased by another node): the task is read to decide.
        var stale = await attempts.CompleteAsync([new ReportedOutcome(id, Guid.NewGuid(), AttemptOutcome.Failed(new AttemptFailure("X", "stale")))]);
        var dead = await attempts.CompleteAsync([new ReportedOutcome(id, leased.LeaseToken!.Value, AttemptOutcome.Failed(new AttemptFailure("X", "no point"), retryable: false))]);

        Assert.False(Assert.Single(stale));
        Assert.True(Assert.Single(dead));
        var task = (await tasks.GetAsync(id))!;
        Assert.Equal(TaskState.Dead, task.State);
        Assert.Equal("no point", Assert.Single(task.Errors).Message);
    }

    [Fact]
    public async Task Observers_HearLocalAndExternalOutcomes()
    {
        var heard = new ConcurrentQueue<StoredOutcome>();
        var (externalHost, external) = await StartAsync(o => o.RunWorkers = false, services: s => s.AddSingleton<ICompletionObserver>(new Recorder(heard)));
        var (engine, _) = await StartAsync(o => o.NodeId = "engine-observed", services: s => s.AddSingleton<ICompletionObserver>(new Recorder(heard)));
        var local = (await external.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed))).Id;
        await WaitFinishedAsync(external, local);
        await engine.StopAsync();

        var id = (await external.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed))).Id;
        var leased = await LeaseExternallyAsync(id);
        var attempts = externalHost.Services.GetRequiredService<INexusAttempts>();
        attempts.Started([leased]);
        await attempts.CompleteAsync([new ReportedOutcome(id, leased.LeaseToken!.Value, AttemptOutcome.Succeeded("42"))]);

        await Eventually.UntilAsync(() => heard.Count >= 2, because: "both outcomes to be observed");
        Assert.Contains(heard, o => o.Id == local && o.Kind == CompletionKind.Succeeded && o.Plugin == "test.probe" && o.Attempt == 1);
        Assert.Contains(heard, o => o.Id == id && o.Kind == CompletionKind.Succeeded && o.Queue == "default" && o.Duration is not null);
        Assert.Equal("42", (await external.GetAsync(id))!.ResultJson);
    }

    private sealed class Recorder(ConcurrentQueue<StoredOutcome> heard) : ICompletionObserver
    {
        public void OnStored(IReadOnlyList<StoredOutcome> outcomes)
        {
            foreach (var o in outcomes) heard.Enqueue(o);
        }
    }
}
