using System.Diagnostics;
using System.Net;
using Nexus.Client.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Client.Tests;

/// <summary>The external worker calls of <see cref="NexusClient.Workers"/> against a real server, on both stores. Each
/// test has its own worker id, plugin and queue, so tests sharing a server never lease each other's tasks.</summary>
public abstract class WorkerClientTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    /// <summary>A test's own worker: its id, the plugin it serves and that plugin's queue.</summary>
    private sealed record Worker(string Id, string Echo, string Queue)
    {
        public static Worker New()
        {
            var tag = Guid.NewGuid().ToString("N")[..8];
            return new Worker("w-" + tag, $"t{tag}.echo", "ext-" + tag);
        }

        public RegisterWorkerRequest Registration => new([
            new DeclaredPluginRequest(Echo)
            {
                Description = "echoes",
                Version = "2.0.0",
                Queue = Queue,
                ArgsSchema = Clients.Json("""
                    {"type":"object","required":["text"],"additionalProperties":false,
                     "properties":{"text":{"type":"string","maxLength":20},"n":{"type":"integer","minimum":0}}}
                    """),
                MaxAttempts = 3,
            },
        ]) { Concurrency = 3, Host = "test-box" };

        public SubmitTaskRequest Submission(string text = "hi") => new(Echo, Clients.Json($$"""{"text":"{{text}}"}"""));
    }

    [Fact]
    public async Task Register_Submit_Lease_Heartbeat_Complete_TheTaskSucceedsWithTheWorkersResult()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var worker = Worker.New();

        var registered = await client.Workers.RegisterAsync(worker.Id, worker.Registration);
        var plugin = await client.Plugins.GetAsync(worker.Echo);
        var id = (await client.Tasks.SubmitAsync(new SubmitTaskRequest(worker.Echo, Clients.Json("""{"text":"hello","n":2}""")))).Id;
        var leased = Assert.Single(await client.Workers.LeaseAsync(worker.Id, max: 10));
        var beat = await client.Workers.HeartbeatAsync(worker.Id, [leased.Lease, new LeaseRefRequest(leased.Id, Guid.NewGuid())]);
        var node = Assert.Single(await client.Nodes.ListAsync(), n => n.Id == worker.Id);
        var results = await client.Workers.CompleteAsync(worker.Id, [CompletionRequest.Succeeded(leased, Clients.Json("""{"echo":"HELLO"}"""))]);
        var task = await client.Tasks.GetAsync(id);

        Assert.Equal((worker.Id, 100, 30_000), (registered.Id, registered.MaxLease, registered.MaxWaitMs));
        Assert.Equal([worker.Echo], registered.Plugins);
        Assert.Equal([worker.Queue], registered.Queues);
        Assert.True(registered.LeaseMs > registered.HeartbeatMs);
        Assert.Equal((worker.Queue, "2.0.0", (int?)3), (plugin.Queue, plugin.Version, plugin.MaxAttempts));
        Assert.Equal(20, plugin.ArgsSchema["properties"]!["text"]!["maxLength"]!.GetValue<int>());
        Assert.Equal((id, worker.Echo, worker.Queue, 1, 3), (leased.Id, leased.Plugin, leased.Queue, leased.Attempt, leased.MaxAttempts));
        Assert.Equal("hello", leased.Args.GetProperty("text").GetString());
        Assert.NotEqual(Guid.Empty, leased.LeaseToken);
        Assert.NotNull(leased.LeaseExpiresAt);
        Assert.Equal([new LeaseStateResponse(id, LeaseStatuses.Ok), new LeaseStateResponse(id, LeaseStatuses.Lost)], beat);
        Assert.Equal(("external", "test-box", 3, 1), (node.Kind, node.Host, node.Concurrency, node.Running));
        Assert.Equal([new CompletionResultResponse(id, true)], results);
        Assert.Equal(TaskStates.Succeeded, task.State);
        Assert.Equal("HELLO", task.Result!.Value.GetProperty("echo").GetString());
    }

    [Fact]
    public async Task RetryableFailure_LeavesTheTaskRetryingWithTheError_AndANonRetryableOneIsDeadAtOnce()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var worker = Worker.New();
        await client.Workers.RegisterAsync(worker.Id, worker.Registration);
        var retried = (await client.Tasks.SubmitAsync(worker.Submission() with { Retry = new RetryRequest { InitialDelayMs = 3_600_000, Jitter = 0 } })).Id;
        var doomed = (await client.Tasks.SubmitAsync(worker.Submission())).Id;
        var leased = await client.Workers.LeaseAsync(worker.Id, max: 2);
        var error = new WorkerErrorRequest("bad thing") { Type = "TypeError", StackTrace = "at sum (sum.js:3)" };

        var results = await client.Workers.CompleteAsync(worker.Id, [
            CompletionRequest.Failed(leased.Single(t => t.Id == retried), error),
            CompletionRequest.Failed(leased.Single(t => t.Id == doomed), error, retryable: false),
        ]);
        var retrying = await client.Tasks.GetAsync(retried);
        var dead = await client.Tasks.GetAsync(doomed);

        Assert.Equal([new CompletionResultResponse(retried, true), new CompletionResultResponse(doomed, true)], results);
        Assert.Equal(TaskStates.Retrying, retrying.State);
        var kept = Assert.Single(retrying.Errors);
        Assert.Equal((1, "TypeError", "bad thing", "at sum (sum.js:3)"), (kept.Attempt, kept.Type, kept.Message, kept.StackTrace));
        Assert.True(retrying.RunAt > DateTimeOffset.UtcNow.AddMinutes(30), $"runs again at {retrying.RunAt:O}");
        Assert.Equal(TaskStates.Dead, dead.State);
    }

    [Fact]
    public async Task Complete_WithAStaleLeaseToken_IsNotAccepted_AndTheTaskKeepsRunning()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var worker = Worker.New();
        await client.Workers.RegisterAsync(worker.Id, worker.Registration);
        var id = (await client.Tasks.SubmitAsync(worker.Submission())).Id;
        var leased = Assert.Single(await client.Workers.LeaseAsync(worker.Id));

        var stale = await client.Workers.CompleteAsync(worker.Id, [
            new CompletionRequest(id, Guid.NewGuid(), "succeeded") { Result = Clients.Json("1") },
            CompletionRequest.Failed(leased with { LeaseToken = Guid.NewGuid() }, new WorkerErrorRequest("x")),
        ]);
        var running = await client.Tasks.GetAsync(id);
        var real = await client.Workers.CompleteAsync(worker.Id, [CompletionRequest.Succeeded(leased)]);

        Assert.Equal([new CompletionResultResponse(id, false), new CompletionResultResponse(id, false)], stale);
        Assert.Equal(TaskStates.Running, running.State);
        Assert.Equal([new CompletionResultResponse(id, true)], real);
        Assert.Equal(TaskStates.Succeeded, (await client.Tasks.GetAsync(id)).State);
    }

    [Fact]
    public async Task Lease_WithNothingToDo_WaitsForWaitMs_ThenReturnsNoTasks()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var worker = Worker.New();
        await client.Workers.RegisterAsync(worker.Id, worker.Registration);

        var clock = Stopwatch.StartNew();
        var leased = await client.Workers.LeaseAsync(worker.Id, max: 5, waitMs: 400);

        Assert.Empty(leased);
        Assert.True(clock.ElapsedMilliseconds >= 390, $"answered after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Lease_WithALongPoll_ReturnsTheTaskSubmittedWhileItWaits()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var worker = Worker.New();
        await client.Workers.RegisterAsync(worker.Id, worker.Registration);

        var leasing = client.Workers.LeaseAsync(worker.Id, waitMs: 30_000);
        var id = (await client.Tasks.SubmitAsync(worker.Submission())).Id;
        // Well inside the 30 s poll: an answer only at its end would fail here.
        var leased = await leasing.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(id, Assert.Single(leased).Id);
    }

    [Fact]
    public async Task Lease_WithAnHttpClientTimeoutBelowWaitMs_ReturnsNoTasksInsteadOfTimingOut()
    {
        using var admin = new HttpClient();
        var worker = Worker.New();
        await Clients.For(Host, admin).Workers.RegisterAsync(worker.Id, worker.Registration);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var client = Clients.For(Host, http);

        var clock = Stopwatch.StartNew();
        var leased = await client.Workers.LeaseAsync(worker.Id, waitMs: 30_000);

        Assert.Empty(leased);
        Assert.InRange(clock.ElapsedMilliseconds, 900, 1999);
    }

    [Fact]
    public async Task Deregister_HandsBackTheTasksItHeld_AndTheWorkerMustRegisterAgain()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var worker = Worker.New();
        await client.Workers.RegisterAsync(worker.Id, worker.Registration);
        var ids = (await client.Tasks.SubmitBatchAsync([worker.Submission("a"), worker.Submission("b")])).Select(t => t.Id).Order().ToList();
        var leased = await client.Workers.LeaseAsync(worker.Id, max: 10);

        var gone = await client.Workers.DeregisterAsync(worker.Id);
        var tasks = await Task.WhenAll(ids.Select(id => client.Tasks.GetAsync(id)));
        var nodes = await client.Nodes.ListAsync();
        var unregistered = await Assert.ThrowsAsync<NexusApiException>(() => client.Workers.LeaseAsync(worker.Id));

        Assert.Equal(ids, leased.Select(t => t.Id).Order());
        Assert.Equal(new DeregisterResponse(2), gone);
        Assert.All(tasks, t => Assert.Equal((TaskStates.Available, 0), (t.State, t.Attempt)));
        Assert.DoesNotContain(nodes, n => n.Id == worker.Id);
        Assert.Equal((HttpStatusCode.NotFound, "worker-not-registered", "workerId"), (unregistered.Status, unregistered.Code, unregistered.Field));
    }

    [Fact]
    public async Task BadInput_ThrowsTheProblemNamingTheField()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var worker = Worker.New();
        await client.Workers.RegisterAsync(worker.Id, worker.Registration);
        var leased = new LeasedTask(1, worker.Echo, worker.Queue, Clients.Json("{}"), 1, 1, Guid.NewGuid(), null, null);

        var maxHigh = await Assert.ThrowsAsync<NexusApiException>(() => client.Workers.LeaseAsync(worker.Id, max: 101));
        var maxLow = await Assert.ThrowsAsync<NexusApiException>(() => client.Workers.LeaseAsync(worker.Id, max: 0));
        var wait = await Assert.ThrowsAsync<NexusApiException>(() => client.Workers.LeaseAsync(worker.Id, waitMs: 30_001));
        var badId = await Assert.ThrowsAsync<NexusApiException>(() => client.Workers.LeaseAsync("bad id"));
        var name = await Assert.ThrowsAsync<NexusApiException>(() => client.Workers.RegisterAsync(worker.Id, new RegisterWorkerRequest([new DeclaredPluginRequest("BAD NAME")])));
        var schema = await Assert.ThrowsAsync<NexusApiException>(() => client.Workers.RegisterAsync(worker.Id,
            new RegisterWorkerRequest([new DeclaredPluginRequest(worker.Echo) { ArgsSchema = Clients.Json("""{"type":"object","properties":{"n":{"$ref":"http://evil/x"}}}""") }])));
        var clash = await Assert.ThrowsAsync<NexusApiException>(() => client.Workers.RegisterAsync(worker.Id, new RegisterWorkerRequest([new DeclaredPluginRequest("text.generate")])));
        var none = await Assert.ThrowsAsync<NexusApiException>(() => client.Workers.HeartbeatAsync(worker.Id, []));
        var message = await Assert.ThrowsAsync<NexusApiException>(() => client.Workers.CompleteAsync(worker.Id, [CompletionRequest.Failed(leased, new WorkerErrorRequest(" "))]));
        var args = await Assert.ThrowsAsync<NexusApiException>(() => client.Tasks.SubmitAsync(worker.Submission("far too long for the schema")));

        Assert.Equal((HttpStatusCode.BadRequest, "validation", "max"), (maxHigh.Status, maxHigh.Code, maxHigh.Field));
        Assert.Contains("between 1 and 100", maxHigh.Detail, StringComparison.Ordinal);
        Assert.Equal(("validation", "max"), (maxLow.Code, maxLow.Field));
        Assert.Equal(("validation", "waitMs"), (wait.Code, wait.Field));
        Assert.Equal(("validation", "workerId"), (badId.Code, badId.Field));
        Assert.Equal(("validation", "plugins[0].name"), (name.Code, name.Field));
        Assert.Equal(("validation", "plugins[0].argsSchema.properties.n.$ref"), (schema.Code, schema.Field));
        Assert.Equal((HttpStatusCode.Conflict, "plugin-conflict", "plugins[0].name"), (clash.Status, clash.Code, clash.Field));
        Assert.Equal(("validation", "leases"), (none.Code, none.Field));
        Assert.Equal(("validation", "completions[0].error.message"), (message.Code, message.Field));
        Assert.Equal(("validation", "args.text"), (args.Code, args.Field));
    }

    [Fact]
    public async Task AViewerKey_IsForbidden_AndAWorkerKeyServes()
    {
        using var http = new HttpClient();
        var admin = Clients.For(Host, http);
        var worker = Worker.New();
        var viewer = Clients.For(Host, http, (await admin.Keys.CreateAsync(new CreateKeyRequest(Clients.NewName("viewer"), "viewer"))).Key);
        var workerKey = Clients.For(Host, http, (await admin.Keys.CreateAsync(new CreateKeyRequest(Clients.NewName("worker"), "worker"))).Key);

        var register = await Assert.ThrowsAsync<NexusApiException>(() => viewer.Workers.RegisterAsync(worker.Id, worker.Registration));
        await workerKey.Workers.RegisterAsync(worker.Id, worker.Registration);
        var lease = await Assert.ThrowsAsync<NexusApiException>(() => viewer.Workers.LeaseAsync(worker.Id));
        var deregister = await Assert.ThrowsAsync<NexusApiException>(() => viewer.Workers.DeregisterAsync(worker.Id));
        var id = (await admin.Tasks.SubmitAsync(worker.Submission())).Id;
        var leased = await workerKey.Workers.LeaseAsync(worker.Id);

        Assert.All(new[] { register, lease, deregister }, ex => Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (ex.Status, ex.Code)));
        Assert.Equal(id, Assert.Single(leased).Id);
    }
}

public sealed class PostgresWorkerClientTests(PostgresServer fixture) : WorkerClientTests(fixture), IClassFixture<PostgresServer>;

public sealed class SqliteWorkerClientTests(SqliteServer fixture) : WorkerClientTests(fixture), IClassFixture<SqliteServer>;
