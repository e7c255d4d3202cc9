using System.Net;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Server.Tests.Workers;

namespace Nexus.Server.Tests.GraphQl;

/// <summary><c>subscription { task(id) }</c> over graphql-transport-ws with a real <see cref="System.Net.WebSockets.ClientWebSocket"/>:
/// the task now, then each change (an external worker leases it, fails it as retryable, leases it again and hands in a
/// result) until it finished, then <c>complete</c>; a finished task answers once and completes; a queue-limited
/// caller cannot watch another queue's task (not found, as on REST).</summary>
public abstract class GraphQlTaskSubscriptionTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private const string Watch = "subscription($id: Long!) { task(id: $id) { id state attempt queue result errors { attempt message } progress { fraction } } }";

    private static JsonElement Task(JsonElement message)
    {
        Assert.Equal("next", message.GetProperty("type").GetString());
        return message.GetProperty("payload").GetProperty("data").GetProperty("task");
    }

    [Fact]
    public async Task ATask_IsPushedAsItIs_ThenOnEveryChange_UntilItFinished()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        var id = await worker.SubmitAsync(admin, """{"text":"hi"}""", ""","maxAttempts":2,"retry":{"initialDelayMs":1,"maxDelayMs":1}""");

        await using var socket = await GraphQlSocket.ConnectAsync(Host.Address, ServerHost.BootstrapKey);
        await socket.SubscribeAsync("t", Watch, new { id });
        var now = Task(await socket.NextAsync());
        Assert.Equal((id, "available", 0, worker.Queue), (now.GetProperty("id").GetInt64(), now.GetProperty("state").GetString(), now.GetProperty("attempt").GetInt32(), now.GetProperty("queue").GetString()));

        var first = Assert.Single(await worker.LeaseAsync());
        var running = Task(await socket.NextAsync());
        Assert.Equal(("running", 1), (running.GetProperty("state").GetString(), running.GetProperty("attempt").GetInt32()));

        Assert.True(Assert.Single(await worker.CompleteAsync(WorkerClient.Failed(first, retryable: true))).GetProperty("accepted").GetBoolean());
        var failed = Task(await socket.NextAsync());
        Assert.NotEqual("running", failed.GetProperty("state").GetString());
        Assert.Equal("bad thing", Assert.Single(failed.GetProperty("errors").EnumerateArray()).GetProperty("message").GetString());

        // The retry becomes available within a millisecond; a lease waits for it. A state that lasted less than a read
        // (available again) may not be seen; the next attempt's running is.
        var second = Assert.Single(await worker.LeaseAsync(waitMs: 5000));
        var again = Task(await socket.NextAsync());
        if (again.GetProperty("state").GetString() != "running") again = Task(await socket.NextAsync());
        Assert.Equal(("running", 2), (again.GetProperty("state").GetString(), again.GetProperty("attempt").GetInt32()));

        Assert.True(Assert.Single(await worker.CompleteAsync(WorkerClient.Succeeded(second, """{"echo":"HI"}"""))).GetProperty("accepted").GetBoolean());
        var done = Task(await socket.NextAsync());
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal("HI", done.GetProperty("result").GetProperty("echo").GetString());
        var complete = await socket.NextAsync();
        Assert.Equal(("t", "complete"), (complete.GetProperty("id").GetString(), complete.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task AFinishedTask_AnswersOnce_AndCompletes_AnUnknownOneIsNotFound()
    {
        using var admin = Host.Admin();
        var worker = new WorkerClient(admin);
        await worker.RegisterAsync();
        var id = await worker.SubmitAsync(admin);
        Assert.True(Assert.Single(await worker.CompleteAsync(WorkerClient.Succeeded(Assert.Single(await worker.LeaseAsync()), "7"))).GetProperty("accepted").GetBoolean());

        await using var socket = await GraphQlSocket.ConnectAsync(Host.Address, ServerHost.BootstrapKey);
        await socket.SubscribeAsync("done", Watch, new { id });
        var task = Task(await socket.NextAsync());
        Assert.Equal(("succeeded", 7), (task.GetProperty("state").GetString(), task.GetProperty("result").GetInt32()));
        Assert.Equal("complete", (await socket.NextAsync()).GetProperty("type").GetString());

        await socket.SubscribeAsync("none", Watch, new { id = long.MaxValue });
        var missing = await socket.NextAsync();
        Assert.Equal(("none", "error"), (missing.GetProperty("id").GetString(), missing.GetProperty("type").GetString()));
        Assert.Contains("not-found", missing.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AQueueLimitedCaller_CannotWatchAnotherQueuesTask_ButItsOwn()
    {
        using var admin = Host.Admin();
        var theirs = new WorkerClient(admin);
        await theirs.RegisterAsync();
        var hidden = await theirs.SubmitAsync(admin, """{"text":"secret"}""");
        var mine = new WorkerClient(admin);
        await mine.RegisterAsync();
        var visible = await mine.SubmitAsync(admin);
        var key = await WorkerClient.CreateKeyAsync(admin, "viewer", mine.Queue);

        await using var socket = await GraphQlSocket.ConnectAsync(Host.Address, key);
        await socket.SubscribeAsync("theirs", Watch, new { id = hidden });
        var refused = await socket.NextAsync();
        Assert.Equal(("theirs", "error"), (refused.GetProperty("id").GetString(), refused.GetProperty("type").GetString()));
        Assert.Contains("not-found", refused.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", refused.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(theirs.Queue, refused.ToString(), StringComparison.Ordinal);

        await socket.SubscribeAsync("mine", Watch, new { id = visible });
        var own = Task(await socket.NextAsync());
        Assert.Equal((visible, "available"), (own.GetProperty("id").GetInt64(), own.GetProperty("state").GetString()));
        // A worker key may not read at all.
        var workerKey = await WorkerClient.CreateKeyAsync(admin, "worker", mine.Queue);
        await using var workerSocket = await GraphQlSocket.ConnectAsync(Host.Address, workerKey);
        await workerSocket.SubscribeAsync("w", Watch, new { id = visible });
        Assert.Contains("forbidden", (await workerSocket.NextAsync()).ToString(), StringComparison.Ordinal);
    }
}

public sealed class SqliteGraphQlTaskSubscriptionTests(SqliteServer server) : GraphQlTaskSubscriptionTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresGraphQlTaskSubscriptionTests(PostgresServer server) : GraphQlTaskSubscriptionTests(server), IClassFixture<PostgresServer>;
