using System.Net;
using Nexus.Client.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Client.Tests;

/// <summary>The task calls of <see cref="NexusClient"/> against a real server, on both stores.</summary>
public abstract class TaskClientTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    [Fact]
    public async Task Submit_ThenWait_ReturnsTheSucceededTaskWithItsResult()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);

        var submitted = await client.Tasks.SubmitAsync(Clients.Story("client/one.txt", 30) with { Priority = 5, Tags = ["client"] });
        var done = await client.WaitForAsync(submitted.Id);

        Assert.True(submitted.Created);
        Assert.Equal(TaskStates.Succeeded, done.State);
        Assert.True(done.IsFinished);
        Assert.Equal(5, done.Priority);
        Assert.Equal(["client"], done.Tags);
        Assert.Equal(30, done.Result!.Value.GetProperty("words").GetInt32());
        Assert.Equal("client/one.txt", done.Args.GetProperty("filename").GetString());
    }

    [Fact]
    public async Task SubmitBatch_ReturnsOneResultPerTaskInOrder_AndUniqueKeysReturnTheFirstTask()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var key = Clients.NewName("uk");

        var first = await client.Tasks.SubmitAsync(Clients.Story("client/u.txt") with { UniqueKey = key, Delay = "1h" });
        var results = await client.Tasks.SubmitBatchAsync([
            Clients.Story("client/b1.txt") with { Delay = "1h" },
            Clients.Story("client/b2.txt") with { UniqueKey = key },
            Clients.Story("client/b3.txt") with { DelayMs = 3_600_000 },
        ]);

        Assert.Equal(3, results.Count);
        Assert.True(results[0].Created);
        Assert.Equal(new SubmitResponse(first.Id, false), results[1]);
        Assert.True(results[2].Id > results[0].Id);
        Assert.Equal(TaskStates.Scheduled, (await client.Tasks.GetAsync(results[2].Id)).State);
    }

    [Fact]
    public async Task ListAllAsync_WalksEveryPageNewestFirst_WithoutRepeats()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var tag = Clients.NewName("page");
        var ids = (await client.Tasks.SubmitBatchAsync([.. Enumerable.Range(0, 7).Select(i => Clients.Story($"client/p{i}.txt") with { Tags = [tag], Delay = "1h" })]))
            .Select(r => r.Id).ToList();

        var page = await client.Tasks.ListAsync(new TaskQuery { Tag = tag, Limit = 3 });
        var all = new List<TaskResponse>();
        await foreach (var task in client.Tasks.ListAllAsync(new TaskQuery { Tag = tag, Limit = 3, State = TaskStates.Scheduled })) all.Add(task);

        Assert.Equal(3, page.Items.Count);
        Assert.NotNull(page.Next);
        Assert.Equal(ids.AsEnumerable().Reverse(), all.Select(t => t.Id));
    }

    [Fact]
    public async Task Why_ForADelayedTask_IsScheduledUntilItsRunTime_ThenFinishedOnceItRan_AndAnUnknownIdIsNotFound()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var id = (await client.Tasks.SubmitAsync(Clients.Story("client/why.txt") with { Delay = "1h" })).Id;
        var runAt = (await client.Tasks.GetAsync(id)).RunAt;

        var why = await client.Tasks.WhyAsync(id);
        await client.Tasks.CancelAsync(id);
        var finished = await client.Tasks.WhyAsync(id);
        var unknown = await Assert.ThrowsAsync<NexusApiException>(() => client.Tasks.WhyAsync(999_999_999));

        Assert.Equal(id, why.TaskId);
        Assert.Equal(TaskStates.Scheduled, why.State);
        var reason = Assert.Single(why.Reasons);
        Assert.Equal("scheduled", reason.Code);
        Assert.Equal(runAt, reason.Until);
        Assert.Equal("finished", Assert.Single(finished.Reasons).Code);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
    }

    [Fact]
    public async Task Cancel_Retry_Delete_MoveTheTaskThroughItsStates()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var id = (await client.Tasks.SubmitAsync(Clients.Story("client/c.txt") with { Delay = "1h" })).Id;

        var cancelled = await client.Tasks.CancelAsync(id);
        var again = await Assert.ThrowsAsync<NexusApiException>(() => client.Tasks.CancelAsync(id));
        var retried = await client.Tasks.RetryAsync(id);
        var ran = await client.WaitForAsync(id); // retried tasks are available at once
        await client.Tasks.DeleteAsync(id);
        var gone = await Assert.ThrowsAsync<NexusApiException>(() => client.Tasks.GetAsync(id));

        Assert.Equal(new TaskActionResponse(id, "cancelled"), cancelled);
        Assert.Equal("task-finished", again.Code);
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal(new TaskActionResponse(id, "retried"), retried);
        Assert.Equal(TaskStates.Succeeded, ran.State);
        Assert.Equal("not-found", gone.Code);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
    }

    [Fact]
    public async Task Retry_WithNewArgs_RunsWithThem_AndArgsOutsideTheSchemaNameTheField()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var id = (await client.Tasks.SubmitAsync(Clients.Story("client/r1.txt") with { Delay = "1h" })).Id;
        await client.Tasks.CancelAsync(id);

        using var bad = System.Text.Json.JsonDocument.Parse("""{"filename":"client/r2.txt","words":0}""");
        var refused = await Assert.ThrowsAsync<NexusApiException>(() => client.Tasks.RetryAsync(id, bad.RootElement));
        using var good = System.Text.Json.JsonDocument.Parse("""{"filename":"client/r2.txt","words":6}""");
        var retried = await client.Tasks.RetryAsync(id, good.RootElement);
        var ran = await client.WaitForAsync(id);

        Assert.Equal("args.words", refused.Field);
        Assert.Equal(new TaskActionResponse(id, "retried"), retried);
        Assert.Equal("client/r2.txt", ran.Args.GetProperty("filename").GetString());
        Assert.Equal(6, ran.Result!.Value.GetProperty("words").GetInt32());
    }

    [Fact]
    public async Task Submit_WithArgsOutsideTheSchema_ThrowsTheProblemNamingTheField()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);

        var ex = await Assert.ThrowsAsync<NexusApiException>(() => client.Tasks.SubmitAsync(Clients.Story("client/bad.txt", words: 0)));

        Assert.Equal(HttpStatusCode.BadRequest, ex.Status);
        Assert.Equal("validation", ex.Code);
        Assert.Equal("args.words", ex.Field);
        Assert.StartsWith("args.words", ex.Message, StringComparison.Ordinal);
        Assert.Equal("urn:nexus:problem:validation", ex.Type);
        Assert.False(string.IsNullOrEmpty(ex.TraceId));
    }

    [Fact]
    public async Task SubmitBatch_WithAnUnknownPlugin_NamesTheTaskInTheBatch()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);

        var ex = await Assert.ThrowsAsync<NexusApiException>(() => client.Tasks.SubmitBatchAsync([
            Clients.Story("client/ok.txt"), new SubmitTaskRequest("no.such.plugin", Clients.Json("{}"))]));

        Assert.Equal("unknown-plugin", ex.Code);
        Assert.Equal("tasks[1].plugin", ex.Field);
        Assert.Contains("text.generate", ex.Detail, StringComparison.Ordinal);
    }
}

public sealed class PostgresTaskClientTests(PostgresServer fixture) : TaskClientTests(fixture), IClassFixture<PostgresServer>;

public sealed class SqliteTaskClientTests(SqliteServer fixture) : TaskClientTests(fixture), IClassFixture<SqliteServer>;
