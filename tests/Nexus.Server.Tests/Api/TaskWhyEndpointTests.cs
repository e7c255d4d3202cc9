using System.Net;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Server.Tests.Workers;

namespace Nexus.Server.Tests.Api;

/// <summary>GET /api/v1/tasks/{id}/why: the concrete reasons a task is not running, from the real store and nodes.
/// Each test uses its own external worker (its own plugin and queue), so nothing else on the server claims its tasks.</summary>
public abstract class TaskWhyEndpointTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private static async Task<(JsonElement Why, List<string> Codes)> WhyAsync(HttpClient client, long id)
    {
        var why = await (await client.GetAsync($"/api/v1/tasks/{id}/why")).JsonAsync();
        Assert.Equal(id, why.GetProperty("taskId").GetInt64());
        return (why, [.. why.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()!)]);
    }

    private static JsonElement Reason(JsonElement why, string code) =>
        why.GetProperty("reasons").EnumerateArray().Single(r => r.GetProperty("code").GetString() == code);

    [Fact]
    public async Task PausedQueue_IsTheReason_AndResumingClearsIt()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        await (await admin.PostAsync($"/api/v1/queues/{worker.Queue}/pause", null)).JsonAsync();
        var id = await worker.SubmitAsync(admin);

        var (why, codes) = await WhyAsync(admin, id);
        Assert.Equal(["queue-paused"], codes);
        Assert.Equal("available", why.GetProperty("state").GetString());
        Assert.Contains(worker.Queue, Reason(why, "queue-paused").GetProperty("message").GetString(), StringComparison.Ordinal);

        await (await admin.PostAsync($"/api/v1/queues/{worker.Queue}/resume", null)).JsonAsync();
        Assert.Equal(["ready"], (await WhyAsync(admin, id)).Codes);
    }

    [Fact]
    public async Task NoLiveWorkerForThePlugin_IsTheReason()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        await (await admin.DeleteAsync(worker.Url)).JsonAsync();
        // The declaration stays, so the submit is accepted; nobody serves the plugin any more.
        var id = await worker.SubmitAsync(admin);

        var (why, codes) = await WhyAsync(admin, id);
        Assert.Equal(["no-worker"], codes);
        Assert.Contains(worker.Echo, Reason(why, "no-worker").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DelayedTask_IsScheduledUntilItsRunTime()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        var id = await worker.SubmitAsync(admin, extra: ""","delay":"1h" """);
        var runAt = (await admin.GetTaskAsync(id)).GetProperty("runAt").GetDateTimeOffset();

        var (why, codes) = await WhyAsync(admin, id);
        Assert.Equal(["scheduled"], codes);
        Assert.Equal(runAt, Reason(why, "scheduled").GetProperty("until").GetDateTimeOffset());
    }

    [Fact]
    public async Task FailedAttempt_IsInBackoffUntilItsNextRun()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        var id = await worker.SubmitAsync(admin, extra: ""","retry":{"initialDelayMs":3600000,"jitter":0}""");
        await worker.CompleteAsync(WorkerClient.Failed(Assert.Single(await worker.LeaseAsync()), retryable: true));
        var task = await admin.GetTaskAsync(id);
        Assert.Equal("retrying", task.GetProperty("state").GetString());

        var (why, codes) = await WhyAsync(admin, id);
        Assert.Equal(["backoff"], codes);
        Assert.Equal(task.GetProperty("runAt").GetDateTimeOffset(), Reason(why, "backoff").GetProperty("until").GetDateTimeOffset());
    }

    [Fact]
    public async Task ConcurrencyLimit_NamesTheRunningTasksHoldingIt_AndRunningAndFinishedTasksSaySo()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        await (await admin.PatchJsonAsync($"/api/v1/queues/{worker.Queue}", """{"maxConcurrency":1}""")).JsonAsync();
        var holder = await worker.SubmitAsync(admin);
        var leased = Assert.Single(await worker.LeaseAsync());
        var blocked = await worker.SubmitAsync(admin);

        var (why, codes) = await WhyAsync(admin, blocked);
        Assert.Equal(["concurrency-limit"], codes);
        var limit = Reason(why, "concurrency-limit");
        Assert.Equal([holder], limit.GetProperty("taskIds").EnumerateArray().Select(i => i.GetInt64()));
        Assert.Equal(1, limit.GetProperty("limit").GetInt32());
        Assert.Equal(["running"], (await WhyAsync(admin, holder)).Codes);

        await worker.CompleteAsync(WorkerClient.Succeeded(leased, "{}"));
        Assert.Equal(["finished"], (await WhyAsync(admin, holder)).Codes);
        Assert.Equal(["ready"], (await WhyAsync(admin, blocked)).Codes);
    }

    [Fact]
    public async Task Backlog_GivesThePositionInTheClaimOrder()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        var first = await worker.SubmitAsync(admin);
        var second = await worker.SubmitAsync(admin);
        var urgent = await worker.SubmitAsync(admin, extra: ""","priority":10""");

        Assert.Equal(["ready"], (await WhyAsync(admin, urgent)).Codes);
        var (why, codes) = await WhyAsync(admin, second);
        Assert.Equal(["backlog"], codes);
        Assert.Equal(3, Reason(why, "backlog").GetProperty("position").GetInt64());
        Assert.Equal(2, Reason((await WhyAsync(admin, first)).Why, "backlog").GetProperty("position").GetInt64());
    }

    [Fact]
    public async Task KeyedEventDelivery_WaitsBehindTheEarlierDeliveryOfItsKey()
    {
        using var admin = Host.Admin();
        var tag = Guid.NewGuid().ToString("N")[..10];
        var ns = "ns-" + tag;
        var queue = "whyq-" + tag;
        await (await admin.PostJsonAsync("/api/v1/namespaces", $$"""{"name":"{{ns}}"}""")).JsonAsync(HttpStatusCode.Created);
        await (await admin.PostAsync($"/api/v1/queues/{queue}/pause", null)).JsonAsync();
        await (await admin.PostJsonAsync($"/api/v1/namespaces/{ns}/subscriptions", $$$"""
            {"name":"keyed","pattern":"carts.*","action":"plugin","target":"text.generate","queue":"{{{queue}}}","orderedByKey":true,
             "argsTemplate":{"filename":"why-{{position}}.txt","words":3},"start":{"kind":"new"}}
            """)).JsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync($"/api/v1/namespaces/{ns}/events",
            """{"events":[{"topic":"carts.add","payload":1,"key":"k"},{"topic":"carts.add","payload":2,"key":"k"}]}""")).JsonAsync();

        var waiting = await Nexus.Testing.Eventually.UntilAsync(async () => await (await admin.GetAsync($"/api/v1/tasks?queue={queue}&state=waiting")).JsonAsync(),
            p => p.GetProperty("items").GetArrayLength() == 1, because: "the second delivery of the key to be stored waiting");
        var id = waiting.GetProperty("items")[0].GetProperty("id").GetInt64();

        var (why, codes) = await WhyAsync(admin, id);
        Assert.Equal(["waiting-on-key", "queue-paused"], codes);
        Assert.Equal("waiting", why.GetProperty("state").GetString());
    }

    [Fact]
    public async Task UnknownTask404_BadId400_AndAnotherQueuesTaskIs404ForAQueueLimitedCaller()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        var id = await worker.SubmitAsync(admin);
        await (await admin.GetAsync("/api/v1/tasks/999999999/why")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await admin.GetAsync("/api/v1/tasks/abc/why")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "id");

        using var limited = Host.Client(await WorkerClient.CreateKeyAsync(admin, "viewer", "other-q"));
        await (await limited.GetAsync($"/api/v1/tasks/{id}/why")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        using var mine = Host.Client(await WorkerClient.CreateKeyAsync(admin, "viewer", worker.Queue));
        Assert.Equal(["ready"], (await WhyAsync(mine, id)).Codes);
    }
}

public sealed class SqliteTaskWhyEndpointTests(SqliteServer server) : TaskWhyEndpointTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresTaskWhyEndpointTests(PostgresServer server) : TaskWhyEndpointTests(server), IClassFixture<PostgresServer>;
