using System.Diagnostics;
using System.Net;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Workers;

/// <summary>External workers over HTTP: register, lease, heartbeat, complete, deregister, on both stores.</summary>
public abstract class WorkerApiTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    [Fact]
    public async Task Declare_Submit_Lease_Complete_TheTaskSucceedsWithTheWorkersResult()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        var registered = await worker.RegisterAsync();
        Assert.Equal([worker.Echo], registered.GetProperty("plugins").EnumerateArray().Select(p => p.GetString()));
        Assert.True(registered.GetProperty("leaseMs").GetInt64() > registered.GetProperty("heartbeatMs").GetInt64());

        var plugin = await (await admin.GetAsync($"/api/v1/plugins/{worker.Echo}")).JsonAsync();
        Assert.True(plugin.GetProperty("external").GetBoolean());
        Assert.Equal(worker.Queue, plugin.GetProperty("queue").GetString());
        var id = await worker.SubmitAsync(admin, """{"text":"hello","n":2}""");

        var leased = Assert.Single(await worker.LeaseAsync());
        Assert.Equal(id, leased.GetProperty("id").GetInt64());
        Assert.Equal(worker.Echo, leased.GetProperty("plugin").GetString());
        Assert.Equal(worker.Queue, leased.GetProperty("queue").GetString());
        Assert.Equal("hello", leased.GetProperty("args").GetProperty("text").GetString());
        Assert.Equal(1, leased.GetProperty("attempt").GetInt32());

        var nodes = (await (await admin.GetAsync("/api/v1/nodes")).JsonAsync()).GetProperty("nodes").EnumerateArray();
        var node = Assert.Single(nodes, n => n.GetProperty("id").GetString() == worker.Id);
        Assert.Equal(("external", 1, 3, "alive"), (node.GetProperty("kind").GetString(), node.GetProperty("running").GetInt32(), node.GetProperty("concurrency").GetInt32(), node.GetProperty("status").GetString()));

        var results = await worker.CompleteAsync(WorkerClient.Succeeded(leased, """{"echo":"HELLO"}"""));
        Assert.True(Assert.Single(results).GetProperty("accepted").GetBoolean());
        var task = await admin.GetTaskAsync(id);
        Assert.Equal("succeeded", task.GetProperty("state").GetString());
        Assert.Equal("HELLO", task.GetProperty("result").GetProperty("echo").GetString());
    }

    [Fact]
    public async Task Complete_WithAStaleLeaseToken_IsRefused_AndTheTaskKeepsRunning()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        var id = await worker.SubmitAsync(admin);
        var leased = Assert.Single(await worker.LeaseAsync());

        var stale = $$"""{"id":{{id}},"leaseToken":"{{Guid.NewGuid()}}","outcome":"succeeded","result":1}""";
        var staleFailure = $$"""{"id":{{id}},"leaseToken":"{{Guid.NewGuid()}}","outcome":"failed","error":{"message":"x"} }""";
        var results = await worker.CompleteAsync(stale + "," + staleFailure);

        Assert.All(results, r => Assert.False(r.GetProperty("accepted").GetBoolean()));
        Assert.Equal("running", (await admin.GetTaskAsync(id)).GetProperty("state").GetString());
        Assert.True(Assert.Single(await worker.CompleteAsync(WorkerClient.Succeeded(leased, "2"))).GetProperty("accepted").GetBoolean());
    }

    [Fact]
    public async Task RetryableFailure_Retries_ThenTheTaskIsDeadAfterItsLastAttempt_AndANonRetryableOneIsDeadAtOnce()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        var id = await worker.SubmitAsync(admin, extra: ""","maxAttempts":2,"retry":{"initialDelayMs":0,"maxDelayMs":0,"jitter":0}""");

        var first = Assert.Single(await worker.LeaseAsync());
        Assert.True(Assert.Single(await worker.CompleteAsync(WorkerClient.Failed(first, retryable: true))).GetProperty("accepted").GetBoolean());
        Assert.Equal("retrying", (await admin.GetTaskAsync(id)).GetProperty("state").GetString());
        var second = Assert.Single(await worker.LeaseAsync(waitMs: 10_000));
        Assert.Equal(2, second.GetProperty("attempt").GetInt32());
        await worker.CompleteAsync(WorkerClient.Failed(second, retryable: true));

        var dead = await admin.GetTaskAsync(id);
        Assert.Equal("dead", dead.GetProperty("state").GetString());
        var errors = dead.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal("TypeError", e.GetProperty("type").GetString()));

        var other = await worker.SubmitAsync(admin);
        await worker.CompleteAsync(WorkerClient.Failed(Assert.Single(await worker.LeaseAsync()), retryable: false));
        Assert.Equal("dead", (await admin.GetTaskAsync(other)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Heartbeat_ExtendsTheLease_AndReportsCancelRequests_AndLostLeases()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        var id = await worker.SubmitAsync(admin);
        var leased = Assert.Single(await worker.LeaseAsync());
        var firstExpiry = leased.GetProperty("leaseExpiresAt").GetDateTimeOffset();
        var token = leased.GetProperty("leaseToken").GetString();
        var body = $$"""{"leases":[{"id":{{id}},"leaseToken":"{{token}}"},{"id":{{id}},"leaseToken":"{{Guid.NewGuid()}}"}]}""";

        var beat = (await (await admin.PostJsonAsync(worker.Url + "/heartbeat", body)).JsonAsync()).GetProperty("leases").EnumerateArray().ToList();
        Assert.Equal(["ok", "lost"], beat.Select(b => b.GetProperty("status").GetString()));
        Assert.True((await admin.GetTaskAsync(id)).GetProperty("leaseExpiresAt").GetDateTimeOffset() >= firstExpiry);

        await (await admin.PostAsync($"/api/v1/tasks/{id}/cancel", null)).JsonAsync(HttpStatusCode.Accepted);
        var cancel = (await (await admin.PostJsonAsync(worker.Url + "/heartbeat", body)).JsonAsync()).GetProperty("leases").EnumerateArray().First();
        Assert.Equal("cancel-requested", cancel.GetProperty("status").GetString());
        await worker.CompleteAsync($$"""{"id":{{id}},"leaseToken":"{{token}}","outcome":"cancelled"}""");
        Assert.Equal("cancelled", (await admin.GetTaskAsync(id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Lease_WithALongPoll_ReturnsAsSoonAsATaskIsSubmitted()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        using var workerHttp = Host.Admin();
        var polling = new WorkerClient(workerHttp);
        var waiting = worker.LeaseAsync(waitMs: 30_000);

        var id = await worker.SubmitAsync(polling.Http);
        var leased = await waiting.WaitAsync(Http.Deadline);

        Assert.Equal(id, Assert.Single(leased).GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Lease_WhenNoTasks_WaitsForWaitMs_ThenReturnsEmpty()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();

        var clock = Stopwatch.StartNew();
        var leased = await worker.LeaseAsync(waitMs: 400);

        Assert.Empty(leased);
        Assert.True(clock.ElapsedMilliseconds >= 390, $"answered after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Lease_NeverReturnsLocalPluginTasks_AndTheLocalEngineNeverRunsExternalOnes()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        var external = await worker.SubmitAsync(admin);
        var local = await admin.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"w.txt","words":3},"queue":"{{worker.Queue}}","priority":5}""");

        await admin.WaitForStateAsync(local, "succeeded");
        Assert.Equal("available", (await admin.GetTaskAsync(external)).GetProperty("state").GetString());
        var leased = await worker.LeaseAsync(max: 100);
        Assert.Equal([external], leased.Select(t => t.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task Deregister_HandsBackTheTasksItHeld_AndLeavesTheNodeList()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        var id = await worker.SubmitAsync(admin);
        Assert.Single(await worker.LeaseAsync());

        var gone = await (await admin.DeleteAsync(worker.Url)).JsonAsync();

        Assert.Equal(1, gone.GetProperty("released").GetInt32());
        var task = await admin.GetTaskAsync(id);
        Assert.Equal("available", task.GetProperty("state").GetString());
        var nodes = (await (await admin.GetAsync("/api/v1/nodes")).JsonAsync()).GetProperty("nodes").EnumerateArray();
        Assert.DoesNotContain(nodes, n => n.GetProperty("id").GetString() == worker.Id);
        await (await admin.PostJsonAsync(worker.Url + "/lease", "{}")).ProblemAsync(HttpStatusCode.NotFound, "worker-not-registered", "workerId");
    }

    [Fact]
    public async Task Auth_NoCredentials401_Viewer403_AndAQueueLimitedWorkerKeyServesOnlyItsQueues()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        using var anonymous = Host.Client();
        await (await anonymous.PostJsonAsync(worker.Url + "/lease", "{}")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        using var viewer = Host.Client(await WorkerClient.CreateKeyAsync(admin, "viewer"));
        await (await viewer.PostJsonAsync(worker.Url + "/lease", "{}")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        using var limited = Host.Client(await WorkerClient.CreateKeyAsync(admin, "worker", "allowed-q"));
        var mine = new WorkerClient(limited);
        await (await limited.PutAsync(mine.Url, new StringContent(mine.Declaration(), System.Text.Encoding.UTF8, "application/json")))
            .ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden", "plugins[0].queue");
        await (await limited.PostJsonAsync(worker.Url + "/lease", "{}")).ProblemAsync(HttpStatusCode.NotFound, "worker-not-registered", "workerId");
        await mine.RegisterAsync("allowed-q");
        var id = await mine.SubmitAsync(admin);
        Assert.Equal(id, Assert.Single(await mine.LeaseAsync()).GetProperty("id").GetInt64());
        await (await limited.PostJsonAsync("/api/v1/tasks", $$"""{"plugin":"{{mine.Echo}}","args":{"text":"x"} }""")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Theory]
    [InlineData("""{"plugins":[{"name":"BAD NAME"}]}""", "plugins[0].name")]
    [InlineData("""{"plugins":[{"name":"ok.name","argsSchema":{"type":"object","properties":{"n":{"type":"int"}}}}]}""", "plugins[0].argsSchema.properties.n.type")]
    [InlineData("""{"plugins":[{"name":"ok.name","argsSchema":{"type":"object","properties":{"n":{"$ref":"http://evil/x"}}}}]}""", "plugins[0].argsSchema.properties.n.$ref")]
    [InlineData("""{"plugins":[{"name":"ok.name","argsSchema":{"type":"array"}}]}""", "plugins[0].argsSchema.type")]
    [InlineData("""{"plugins":[{"name":"ok.name","queue":"-bad"}]}""", "plugins[0].queue")]
    [InlineData("""{"plugins":[]}""", "plugins")]
    [InlineData("""{"plugins":[{"name":"ok.name"}],"concurrency":0}""", "concurrency")]
    [InlineData("""{"plugins":[{"name":"ok.name","colour":"red"}]}""", "plugins[0].colour")]
    public async Task Register_BadInput_NamesTheField(string body, string field)
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await (await admin.PutAsync(worker.Url, new StringContent(body, System.Text.Encoding.UTF8, "application/json"))).ProblemAsync(HttpStatusCode.BadRequest, "validation", field);
    }

    [Fact]
    public async Task BadInput_LocalNameClash_LeaseLimits_CompleteOutcome_SubmitArgs_AllNameTheField()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await (await admin.PutAsync(worker.Url, new StringContent("""{"plugins":[{"name":"text.generate"}]}""", System.Text.Encoding.UTF8, "application/json")))
            .ProblemAsync(HttpStatusCode.Conflict, "plugin-conflict", "plugins[0].name");
        await worker.RegisterAsync();

        await (await admin.PostJsonAsync(worker.Url + "/lease", """{"max":101}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "max");
        await (await admin.PostJsonAsync(worker.Url + "/lease", """{"max":0}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "max");
        await (await admin.PostJsonAsync(worker.Url + "/lease", """{"waitMs":30001}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "waitMs");
        await (await admin.PostJsonAsync("/api/v1/workers/bad%20id/lease", "{}")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "workerId");
        await (await admin.PostJsonAsync(worker.Url + "/complete", $$"""{"completions":[{"id":1,"leaseToken":"{{Guid.NewGuid()}}","outcome":"done"}]}"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation", "completions[0].outcome");
        await (await admin.PostJsonAsync(worker.Url + "/complete", """{"completions":[{"id":1,"outcome":"succeeded"}]}"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation", "completions[0].leaseToken");
        await (await admin.PostJsonAsync(worker.Url + "/heartbeat", """{"leases":[]}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "leases");

        await (await admin.PostJsonAsync("/api/v1/tasks", $$"""{"plugin":"{{worker.Echo}}","args":{"text":"far too long for the schema"} }"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation", "args.text");
        await (await admin.PostJsonAsync("/api/v1/tasks", $$"""{"plugin":"{{worker.Echo}}","args":{"text":"x","extra":1} }"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation", "args.extra");
        await (await admin.PostJsonAsync("/api/v1/tasks", $$"""{"plugin":"{{worker.Echo}}","args":{"text":"x","n":1.5} }"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation", "args.n");
        await (await admin.PostJsonAsync("/api/v1/tasks", $$"""{"plugin":"{{worker.Echo}}","args":{"text":"x"},"queue":"elsewhere"}"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation", "queue");
        await (await admin.PostJsonAsync("/api/v1/tasks", """{"plugin":"nobody.serves.this","args":{}}"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "unknown-plugin", "plugin");
    }
}

public sealed class SqliteWorkerApiTests(SqliteServer server) : WorkerApiTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresWorkerApiTests(PostgresServer server) : WorkerApiTests(server), IClassFixture<PostgresServer>;
