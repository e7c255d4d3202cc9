using System.Net;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Api;

/// <summary>/api/v1/queues: counts by state, pause and resume, concurrency and backlog limits.</summary>
public abstract class QueueEndpointTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private static string NewQueue() => "q-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task List_GivesEachQueueItsCountsByState()
    {
        using var client = Host.Admin();
        var queue = NewQueue();
        var done = await client.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"q.txt","words":5},"queue":"{{queue}}"}""");
        await client.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"q.txt"},"queue":"{{queue}}","delay":"1h"}""");
        await client.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"q.txt"},"queue":"{{queue}}","delay":"1h"}""");
        await client.WaitForStateAsync(done, "succeeded");

        var queues = (await (await client.GetAsync("/api/v1/queues")).JsonAsync()).EnumerateArray().ToList();
        var mine = Assert.Single(queues, q => q.GetProperty("name").GetString() == queue);

        Assert.Equal(1, mine.GetProperty("counts").GetProperty("succeeded").GetInt64());
        Assert.Equal(2, mine.GetProperty("counts").GetProperty("scheduled").GetInt64());
        Assert.Equal(3, mine.GetProperty("total").GetInt64());
        Assert.False(mine.GetProperty("paused").GetBoolean());
        var one = await (await client.GetAsync($"/api/v1/queues/{queue}")).JsonAsync();
        Assert.Equal(3, one.GetProperty("total").GetInt64());
        await (await client.GetAsync("/api/v1/queues/bad%20name")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "name");
    }

    [Fact]
    public async Task Pause_StopsClaimingFromThatQueueOnly_AndResumeRestartsIt()
    {
        using var client = Host.Admin();
        var paused = NewQueue();
        var other = NewQueue();
        var state = await (await client.PostAsync($"/api/v1/queues/{paused}/pause", null)).JsonAsync();
        Assert.True(state.GetProperty("paused").GetBoolean());

        var held = await client.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"p.txt","words":5},"queue":"{{paused}}","priority":100}""");
        var runs = await client.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"o.txt","words":5},"queue":"{{other}}"}""");
        await client.WaitForStateAsync(runs, "succeeded");
        Assert.Equal("available", (await client.GetTaskAsync(held)).GetProperty("state").GetString());

        var resumed = await (await client.PostAsync($"/api/v1/queues/{paused}/resume", null)).JsonAsync();
        Assert.False(resumed.GetProperty("paused").GetBoolean());
        await client.WaitForStateAsync(held, "succeeded");
    }

    [Fact]
    public async Task Patch_SetsLimits_KeepsWhatIsLeftOut_AndTheBacklogLimitRefusesSubmits()
    {
        using var client = Host.Admin();
        var queue = NewQueue();
        var limits = await (await client.PatchJsonAsync($"/api/v1/queues/{queue}", """{"maxConcurrency":2,"maxBacklog":1}""")).JsonAsync();
        Assert.Equal(2, limits.GetProperty("maxConcurrency").GetInt32());
        Assert.Equal(1, limits.GetProperty("maxBacklog").GetInt64());

        var kept = await (await client.PatchJsonAsync($"/api/v1/queues/{queue}", """{"maxConcurrency":null}""")).JsonAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, kept.GetProperty("maxConcurrency").ValueKind);
        Assert.Equal(1, kept.GetProperty("maxBacklog").GetInt64());

        await client.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"b.txt"},"queue":"{{queue}}","delay":"1h"}""");
        var full = await client.PostJsonAsync("/api/v1/tasks", $$"""{"plugin":"text.generate","args":{"filename":"b.txt"},"queue":"{{queue}}","delay":"1h"}""");
        await full.ProblemAsync(HttpStatusCode.TooManyRequests, "queue-full", "queue");
        Assert.NotNull(full.Headers.RetryAfter?.Delta);
    }

    [Theory]
    [InlineData("""{"maxConcurrency":-1}""", "maxConcurrency")]
    [InlineData("""{"maxBacklog":-5}""", "maxBacklog")]
    [InlineData("""{"maxConcurrency":"two"}""", "maxConcurrency")]
    [InlineData("""{"paused":true}""", "paused")]
    public async Task Patch_BadInput_NamesTheField(string body, string field)
    {
        using var client = Host.Admin();
        await (await client.PatchJsonAsync($"/api/v1/queues/{NewQueue()}", body)).ProblemAsync(HttpStatusCode.BadRequest, "validation", field);
    }

    [Fact]
    public async Task PauseOrPatch_ABadQueueName_NamesIt()
    {
        using var client = Host.Admin();
        await (await client.PostAsync("/api/v1/queues/-bad/pause", null)).ProblemAsync(HttpStatusCode.BadRequest, "validation", "name");
        await (await client.PatchJsonAsync("/api/v1/queues/-bad", "{}")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "name");
    }
}

public sealed class SqliteQueueEndpointTests(SqliteServer server) : QueueEndpointTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresQueueEndpointTests(PostgresServer server) : QueueEndpointTests(server), IClassFixture<PostgresServer>;
