using System.Net;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Api;

/// <summary>/api/v1/dead-letters: list, retry one, retry many by filter, purge by filter.</summary>
public abstract class DeadLetterEndpointTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    /// <summary>Submits word counts of missing files (a permanent failure) in a fresh queue and waits until all are dead.</summary>
    private static async Task<(string Queue, List<long> Ids)> DeadTasksAsync(HttpClient client, int count, string? tag = null)
    {
        var queue = "dlq-" + Guid.NewGuid().ToString("N")[..12];
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var tags = tag is null ? "[]" : $"[\"{tag}\"]";
            ids.Add(await client.SubmitAsync($$"""{"plugin":"text.wordcount","args":{"inputFile":"missing/{{i}}.txt"},"queue":"{{queue}}","tags":{{tags}}}"""));
        }
        foreach (var id in ids) await client.WaitForStateAsync(id, "dead");
        return (queue, ids);
    }

    [Fact]
    public async Task List_ShowsDeadTasksWithTheirErrors()
    {
        using var client = Host.Admin();
        var (queue, ids) = await DeadTasksAsync(client, 2);
        var alive = await client.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"x.txt"},"queue":"{{queue}}","delay":"1h"}""");

        var page = await (await client.GetAsync($"/api/v1/dead-letters?queue={queue}")).JsonAsync();

        Assert.Equal(ids.AsEnumerable().Reverse().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), page.Ids());
        var first = page.GetProperty("items")[0];
        Assert.Equal("dead", first.GetProperty("state").GetString());
        Assert.Contains("does not exist", first.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(alive.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Ids());
        await (await client.GetAsync("/api/v1/dead-letters?limit=5000")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "limit");
    }

    [Fact]
    public async Task RetryOne_MakesTheTaskAvailableAgain_AndRefusesOthers()
    {
        using var client = Host.Admin();
        var (_, ids) = await DeadTasksAsync(client, 1);

        var retried = await (await client.PostAsync($"/api/v1/dead-letters/{ids[0]}/retry", null)).JsonAsync();
        Assert.Equal("retried", retried.GetProperty("outcome").GetString());
        var again = await client.WaitForStateAsync(ids[0], "dead");
        Assert.Equal(2, again.GetProperty("attempt").GetInt32());
        Assert.Equal(2, again.GetProperty("errors").GetArrayLength());

        var waiting = await client.SubmitAsync("""{"plugin":"text.generate","args":{"filename":"x.txt"},"delay":"1h"}""");
        await (await client.PostAsync($"/api/v1/dead-letters/{waiting}/retry", null)).ProblemAsync(HttpStatusCode.Conflict, "not-dead");
        await (await client.PostAsync("/api/v1/dead-letters/999999999/retry", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.PostAsync("/api/v1/dead-letters/x/retry", null)).ProblemAsync(HttpStatusCode.BadRequest, "validation", "id");
    }

    [Fact]
    public async Task RetryMany_RetriesTheMatchingDeadTasks_UpToMax()
    {
        using var client = Host.Admin();
        var tag = "t" + Guid.NewGuid().ToString("N")[..8];
        var (queue, ids) = await DeadTasksAsync(client, 3, tag);
        var (otherQueue, others) = await DeadTasksAsync(client, 1, tag);

        // Paused, the retried tasks stay available instead of dying again before the second call.
        await (await client.PostAsync($"/api/v1/queues/{queue}/pause", null)).JsonAsync();
        var first = await (await client.PostJsonAsync("/api/v1/dead-letters/retry", $$"""{"queue":"{{queue}}","tag":"{{tag}}","max":2}""")).JsonAsync();
        Assert.Equal(2, first.GetProperty("count").GetInt32());
        Assert.True(first.GetProperty("more").GetBoolean());
        var second = await (await client.PostJsonAsync("/api/v1/dead-letters/retry", $$"""{"queue":"{{queue}}","plugin":"text.wordcount"}""")).JsonAsync();
        Assert.Equal(1, second.GetProperty("count").GetInt32());
        Assert.False(second.GetProperty("more").GetBoolean());
        Assert.Equal(3, (await (await client.GetAsync($"/api/v1/tasks?queue={queue}&state=available")).JsonAsync()).Ids().Length);
        await (await client.PostAsync($"/api/v1/queues/{queue}/resume", null)).JsonAsync();

        foreach (var id in ids) Assert.Equal(2, (await client.WaitForStateAsync(id, "dead")).GetProperty("attempt").GetInt32());
        Assert.Equal(1, (await client.GetTaskAsync(others[0])).GetProperty("attempt").GetInt32());
        Assert.NotEqual(queue, otherQueue);
    }

    [Fact]
    public async Task Purge_DeletesTheMatchingDeadTasksOnly()
    {
        using var client = Host.Admin();
        var (queue, ids) = await DeadTasksAsync(client, 2);
        var waiting = await client.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"x.txt"},"queue":"{{queue}}","delay":"1h"}""");

        var purged = await (await client.PostJsonAsync("/api/v1/dead-letters/purge", $$"""{"queue":"{{queue}}"}""")).JsonAsync();

        Assert.Equal(2, purged.GetProperty("count").GetInt32());
        foreach (var id in ids) await (await client.GetAsync($"/api/v1/tasks/{id}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.Equal("scheduled", (await client.GetTaskAsync(waiting)).GetProperty("state").GetString());
        var future = DateTimeOffset.UtcNow.AddDays(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var none = await (await client.PostJsonAsync("/api/v1/dead-letters/purge", $$"""{"createdFrom":"{{future}}"}""")).JsonAsync();
        Assert.Equal(0, none.GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("""{"max":0}""", "max")]
    [InlineData("""{"max":100000}""", "max")]
    [InlineData("""{"queue":"bad queue"}""", "queue")]
    [InlineData("""{"state":"running"}""", "state")]
    [InlineData("""{"createdFrom":"last week"}""", "createdFrom")]
    public async Task Bulk_BadFilter_NamesTheField(string body, string field)
    {
        using var client = Host.Admin();
        await (await client.PostJsonAsync("/api/v1/dead-letters/retry", body)).ProblemAsync(HttpStatusCode.BadRequest, "validation", field);
        await (await client.PostJsonAsync("/api/v1/dead-letters/purge", body)).ProblemAsync(HttpStatusCode.BadRequest, "validation", field);
    }
}

public sealed class SqliteDeadLetterEndpointTests(SqliteServer server) : DeadLetterEndpointTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresDeadLetterEndpointTests(PostgresServer server) : DeadLetterEndpointTests(server), IClassFixture<PostgresServer>;
