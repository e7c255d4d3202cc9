using System.Net;
using Nexus.Client.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Client.Tests;

/// <summary>Dead letters, queues, plugins, keys, nodes and the server calls of <see cref="NexusClient"/>; the keyed
/// ones on both stores, the rest on SQLite.</summary>
public abstract class AdminClientTests(ServerFixture fixture)
{
    protected ServerHost Host => fixture.Host;

    [Fact]
    public async Task Keys_CreateListUseRevoke_TheKeyWorksUntilRevoked()
    {
        using var http = new HttpClient();
        var admin = Clients.For(Host, http);
        var name = Clients.NewName("viewer");

        var created = await admin.Keys.CreateAsync(new CreateKeyRequest(name, "viewer") { Queues = ["reports"] });
        var viewer = Clients.For(Host, http, created.Key);
        var me = await viewer.WhoAmIAsync();
        var refused = await Assert.ThrowsAsync<NexusApiException>(() => viewer.Tasks.SubmitAsync(Clients.Story("client/v.txt") with { Queue = "reports" }));
        var listed = await admin.Keys.ListAsync();
        await admin.Keys.RevokeAsync(created.Info.Id);
        var revoked = await Assert.ThrowsAsync<NexusApiException>(() => viewer.WhoAmIAsync());

        Assert.StartsWith("nx_", created.Key, StringComparison.Ordinal);
        Assert.Equal(["viewer"], me.Roles);
        Assert.Equal(["reports"], me.Queues);
        Assert.Equal("forbidden", refused.Code);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains(listed, k => k.Id == created.Info.Id && k.Name == name && k.RevokedAt is null);
        Assert.Equal("invalid-credentials", revoked.Code);
        Assert.NotNull((await admin.Keys.ListAsync()).Single(k => k.Id == created.Info.Id).RevokedAt);
    }

    [Fact]
    public async Task Health_Ready_Server_AndNodes_DescribeTheRunningServer()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);

        var health = await client.HealthAsync();
        var ready = await client.ReadyAsync();
        var server = await client.ServerInfoAsync();
        var nodes = await client.Nodes.ListAsync();

        Assert.Equal("alive", health.Status);
        Assert.True(ready.IsReady);
        Assert.Equal(ready.ExpectedVersion, ready.SchemaVersion);
        Assert.Equal(Host.Store == StoreKind.Sqlite ? "sqlite" : "postgres", server.Store);
        Assert.Equal("server-test", server.NodeId);
        var node = Assert.Single(nodes, n => n.Id == "server-test");
        Assert.Equal("engine", node.Kind);
        Assert.Equal("alive", node.Status);
        Assert.Equal(4, node.Concurrency);
        Assert.Contains("text.generate", node.Plugins);
    }
}

public sealed class PostgresAdminClientTests(PostgresServer fixture) : AdminClientTests(fixture), IClassFixture<PostgresServer>;

public sealed class SqliteAdminClientTests(SqliteServer fixture) : AdminClientTests(fixture), IClassFixture<SqliteServer>
{
    [Fact]
    public async Task DeadLetters_ListRetryOneRetryMatchingAndPurge()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var tag = Clients.NewName("dlq");
        var first = (await client.Tasks.SubmitAsync(Clients.Doomed(tag))).Id;
        var second = (await client.Tasks.SubmitAsync(Clients.Doomed(tag))).Id;
        await client.WaitForAsync(first);
        await client.WaitForAsync(second);

        var listed = await client.DeadLetters.ListAsync(new TaskQuery { Tag = tag, Limit = 1 });
        var all = new List<long>();
        await foreach (var t in client.DeadLetters.ListAllAsync(new TaskQuery { Tag = tag, Limit = 1 })) all.Add(t.Id);
        var one = await client.DeadLetters.RetryAsync(first);
        var waiting = (await client.Tasks.SubmitAsync(Clients.Story("client/waiting.txt") with { Delay = "1h" })).Id;
        var notDead = await Assert.ThrowsAsync<NexusApiException>(() => client.DeadLetters.RetryAsync(waiting));
        await client.WaitForAsync(first);
        var many = await client.DeadLetters.RetryMatchingAsync(new DeadLetterFilterRequest { Tag = tag });
        await client.WaitForAsync(first);
        await client.WaitForAsync(second);
        var purged = await client.DeadLetters.PurgeAsync(new DeadLetterFilterRequest { Tag = tag });
        var after = await client.DeadLetters.ListAsync(new TaskQuery { Tag = tag });

        Assert.Equal([second], listed.Items.Select(t => t.Id));
        Assert.Equal([second, first], all);
        Assert.Equal("retried", one.Outcome);
        Assert.Equal(("not-dead", HttpStatusCode.Conflict), (notDead.Code, notDead.Status));
        Assert.Equal(new BulkResponse(2, false), many);
        Assert.Equal(new BulkResponse(2, false), purged);
        Assert.Empty(after.Items);
    }

    [Fact]
    public async Task Queues_PauseResumeAndLimits_LeaveOutKeepsTheOtherLimit()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var queue = Clients.NewName("q");
        await client.Tasks.SubmitAsync(Clients.Story("client/q.txt") with { Queue = queue, Delay = "1h" });

        var paused = await client.Queues.PauseAsync(queue);
        var both = await client.Queues.SetLimitsAsync(queue, 3, 100);
        var backlogOnly = await client.Queues.SetMaxBacklogAsync(queue, null);
        var concurrencyOnly = await client.Queues.SetMaxConcurrencyAsync(queue, 7);
        var resumed = await client.Queues.ResumeAsync(queue);
        var listed = Assert.Single(await client.Queues.ListAsync(), q => q.Name == queue);
        var bad = await Assert.ThrowsAsync<NexusApiException>(() => client.Queues.GetAsync("bad name"));

        Assert.True(paused.Paused);
        Assert.Equal((3, 100L), (both.MaxConcurrency, both.MaxBacklog));
        Assert.Equal((3, (long?)null), (backlogOnly.MaxConcurrency, backlogOnly.MaxBacklog));
        Assert.Equal((7, (long?)null), (concurrencyOnly.MaxConcurrency, concurrencyOnly.MaxBacklog));
        Assert.False(resumed.Paused);
        Assert.Equal(1, listed.Count(TaskStates.Scheduled));
        Assert.Equal(1, listed.Total);
        Assert.Equal(("validation", "name"), (bad.Code, bad.Field));
    }

    [Fact]
    public async Task QueueFull_CarriesRetryAfterAndTheQueueField()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var queue = Clients.NewName("full");
        await client.Queues.SetMaxBacklogAsync(queue, 0);

        var ex = await Assert.ThrowsAsync<NexusApiException>(() => client.Tasks.SubmitAsync(Clients.Story("client/f.txt") with { Queue = queue }));

        Assert.Equal(HttpStatusCode.TooManyRequests, ex.Status);
        Assert.Equal(("queue-full", "queue"), (ex.Code, ex.Field));
        Assert.Equal(TimeSpan.FromSeconds(5), ex.RetryAfter);
    }

    [Fact]
    public async Task Plugins_ListAndGet_GiveTheArgsSchema()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);

        var all = await client.Plugins.ListAsync();
        var one = await client.Plugins.GetAsync("text.generate");
        var missing = await Assert.ThrowsAsync<NexusApiException>(() => client.Plugins.GetAsync("no.such"));

        Assert.Contains(all, p => p.Name == "image.generate");
        Assert.Equal("text.generate", one.Name);
        Assert.NotNull(one.ArgsSchema["properties"]?["words"]);
        Assert.Equal("not-found", missing.Code);
    }

    [Fact]
    public async Task WithoutCredentials_TheServerRefusesAndSaysSo()
    {
        using var http = new HttpClient();
        var anonymous = Clients.For(Host, http, key: null);

        var ex = await Assert.ThrowsAsync<NexusApiException>(() => anonymous.Tasks.ListAsync());
        var health = await anonymous.HealthAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, ex.Status);
        Assert.Equal("unauthenticated", ex.Code);
        Assert.Equal("alive", health.Status);
    }

    [Fact]
    public async Task AddNexusClient_ResolvesAClientFromTheHttpClientFactory()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddNexusClient(o =>
        {
            o.BaseAddress = Host.Address;
            o.ApiKey = ServerHost.BootstrapKey;
        });
        await using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);

        var client = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<NexusClient>(provider);
        var me = await client.WhoAmIAsync();

        Assert.Equal("bootstrap-key", me.Method);
        Assert.Equal(Host.Address.AbsoluteUri, client.BaseAddress.AbsoluteUri);
    }
}
