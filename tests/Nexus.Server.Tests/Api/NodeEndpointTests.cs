using System.Net;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Storage;

namespace Nexus.Server.Tests.Api;

/// <summary>/api/v1/nodes: the server's own engine and other nodes, with true running counts and staleness.</summary>
public abstract class NodeEndpointTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    [Fact]
    public async Task List_ShowsTheServersOwnEngine_AliveWithItsPlugins()
    {
        using var client = Host.Admin();
        var nodes = (await (await client.GetAsync("/api/v1/nodes")).JsonAsync()).GetProperty("nodes").EnumerateArray().ToList();

        var engine = Assert.Single(nodes, n => n.GetProperty("id").GetString() == "server-test");
        Assert.Equal("engine", engine.GetProperty("kind").GetString());
        Assert.Equal("alive", engine.GetProperty("status").GetString());
        Assert.Equal(4, engine.GetProperty("concurrency").GetInt32());
        Assert.Equal(Environment.MachineName, engine.GetProperty("host").GetString());
        Assert.Contains("text.generate", engine.GetProperty("plugins").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(0, engine.GetProperty("queues").GetArrayLength());
        Assert.True(engine.GetProperty("lastSeenAt").GetDateTimeOffset() >= engine.GetProperty("startedAt").GetDateTimeOffset());
        Assert.True(engine.TryGetProperty("running", out _));
    }

    [Fact]
    public async Task List_MarksANodeUnseenForThreeHeartbeats_Stale_AndCountsItsLeasedTasks()
    {
        var store = Host.NexusStore;
        var id = "ghost-" + Guid.NewGuid().ToString("N")[..8];
        var longAgo = DateTimeOffset.UtcNow.AddMinutes(-10);
        await store.Nodes!.UpsertAsync(new NodeHeartbeat { Id = id, Kind = NodeKinds.External, Host = "elsewhere", Concurrency = 2, Plugins = ["x.y"], StartedAt = longAgo, Now = longAgo });
        var queue = "nodes-" + Guid.NewGuid().ToString("N")[..8];
        await store.Tasks.InsertAsync(new InsertTasksParams([new NewTask { Plugin = "x.y", ArgsJson = "{}", Queue = queue, MaxAttempts = 1 }]));
        Assert.Single(await store.Tasks.ClaimAsync(new ClaimParams(id, 5, TimeSpan.FromMinutes(5)) { Queues = [queue], Plugins = ["x.y"] }));

        using var client = Host.Admin();
        var nodes = (await (await client.GetAsync("/api/v1/nodes")).JsonAsync()).GetProperty("nodes").EnumerateArray().ToList();

        var ghost = Assert.Single(nodes, n => n.GetProperty("id").GetString() == id);
        Assert.Equal("stale", ghost.GetProperty("status").GetString());
        Assert.Equal("external", ghost.GetProperty("kind").GetString());
        Assert.Equal(1, ghost.GetProperty("running").GetInt32());
        Assert.Equal(["x.y"], ghost.GetProperty("plugins").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task List_NeedsCredentials()
    {
        using var anonymous = Host.Client();
        await (await anonymous.GetAsync("/api/v1/nodes")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }
}

public sealed class SqliteNodeEndpointTests(SqliteServer server) : NodeEndpointTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresNodeEndpointTests(PostgresServer server) : NodeEndpointTests(server), IClassFixture<PostgresServer>;
