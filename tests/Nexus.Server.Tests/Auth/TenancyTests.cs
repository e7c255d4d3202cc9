using System.Net;
using System.Text;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Auth;

/// <summary>Two tenants, each with keys limited to its own queue: neither sees nor touches the other's plugins,
/// workers, keys, unique keys, nodes or metrics (issue 15, defects 2, 3, 4, 5 and 7).</summary>
public abstract class TenancyTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private sealed record Tenant(string Queue, string Tag);

    private static Tenant NewTenant(string name)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        return new Tenant($"{name}-{tag}", tag);
    }

    private async Task<(string Key, string Id)> CreateKeyAsync(HttpClient creator, string role, params string[] queues)
    {
        var list = queues.Length == 0 ? "" : $",\"queues\":[{string.Join(",", queues.Select(q => $"\"{q}\""))}]";
        var created = await (await creator.PostJsonAsync("/api/v1/keys", $$"""{"name":"{{role}}-{{Guid.NewGuid():N}}","role":"{{role}}"{{list}}}"""))
            .JsonAsync(HttpStatusCode.Created);
        return (created.GetProperty("key").GetString()!, created.GetProperty("info").GetProperty("id").GetString()!);
    }

    private static Task<HttpResponseMessage> RegisterAsync(HttpClient worker, string workerId, string plugin, string queue, string schema = """{"type":"object"}""") =>
        worker.PutAsync($"/api/v1/workers/{workerId}", new StringContent(
            $$"""{"plugins":[{"name":"{{plugin}}","queue":"{{queue}}","argsSchema":{{schema}} }]}""", Encoding.UTF8, "application/json"));

    [Fact]
    public async Task AWorkerOfAnotherQueue_CannotTakeOverAnExternalPlugin()
    {
        var (a, b) = (NewTenant("ta"), NewTenant("tb"));
        using var admin = Host.Admin();
        using var workerA = Host.Client((await CreateKeyAsync(admin, "worker", a.Queue)).Key);
        using var workerB = Host.Client((await CreateKeyAsync(admin, "worker", b.Queue)).Key);
        var plugin = $"t{a.Tag}.secret";
        await (await RegisterAsync(workerA, "wa-" + a.Tag, plugin, a.Queue, """{"type":"object","required":["token"]}""")).JsonAsync();

        await (await RegisterAsync(workerB, "wb-" + b.Tag, plugin, b.Queue)).ProblemAsync(HttpStatusCode.Conflict, "plugin-conflict", "plugins[0].name");

        var declared = await (await admin.GetAsync($"/api/v1/plugins/{plugin}")).JsonAsync();
        Assert.Equal(a.Queue, declared.GetProperty("queue").GetString());
        Assert.Equal("token", declared.GetProperty("argsSchema").GetProperty("required")[0].GetString());
        var id = await admin.SubmitAsync($$"""{"plugin":"{{plugin}}","args":{"token":"s3cret"} }""");
        Assert.Equal(a.Queue, (await admin.GetTaskAsync(id)).GetProperty("queue").GetString());
        // The worker of the same queue may still re-declare it (a restart), and another worker of that queue may serve it too.
        await (await RegisterAsync(workerA, "wa-" + a.Tag, plugin, a.Queue)).JsonAsync();
        await (await RegisterAsync(workerA, "wa2-" + a.Tag, plugin, a.Queue)).JsonAsync();
    }

    [Fact]
    public async Task SubmittingToAnotherQueuesExternalPlugin_IsAnUnknownPlugin_ThatNamesNeitherItNorItsQueue()
    {
        var (a, b) = (NewTenant("ta"), NewTenant("tb"));
        using var admin = Host.Admin();
        using var workerB = Host.Client((await CreateKeyAsync(admin, "worker", b.Queue)).Key);
        var theirs = $"t{b.Tag}.theirs";
        await (await RegisterAsync(workerB, "wb-" + b.Tag, theirs, b.Queue)).JsonAsync();
        using var operatorA = Host.Client((await CreateKeyAsync(admin, "operator", a.Queue)).Key);

        foreach (var body in new[]
        {
            $$"""{"plugin":"{{theirs}}","args":{} }""",
            $$"""{"plugin":"{{theirs}}","args":{},"queue":"{{a.Queue}}"}""",
            $$"""{"plugin":"t{{a.Tag}}.nothing","args":{},"queue":"{{a.Queue}}"}""",
        })
        {
            var problem = await (await operatorA.PostJsonAsync("/api/v1/tasks", body)).ProblemAsync(HttpStatusCode.BadRequest, "unknown-plugin", "plugin");
            var known = problem.GetProperty("detail").GetString()!.Split("Registered plugins:")[^1];
            Assert.DoesNotContain(theirs, known, StringComparison.Ordinal);
            Assert.DoesNotContain(b.Queue, problem.ToString(), StringComparison.Ordinal);
            Assert.Contains("text.generate", known, StringComparison.Ordinal);
        }
        var batch = await (await operatorA.PostJsonAsync("/api/v1/tasks/batch", $$"""{"tasks":[{"plugin":"text.generate","args":{},"queue":"{{a.Queue}}"},{"plugin":"{{theirs}}","args":{} }]}"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "unknown-plugin", "tasks[1].plugin");
        Assert.DoesNotContain(b.Queue, batch.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWorkerOfAnotherQueue_CannotDeregisterOrReRegisterAWorkerId()
    {
        var (a, b) = (NewTenant("ta"), NewTenant("tb"));
        using var admin = Host.Admin();
        using var workerA = Host.Client((await CreateKeyAsync(admin, "worker", a.Queue)).Key);
        using var workerB = Host.Client((await CreateKeyAsync(admin, "worker", b.Queue)).Key);
        var workerId = "wa-" + a.Tag;
        var plugin = $"t{a.Tag}.job";
        await (await RegisterAsync(workerA, workerId, plugin, a.Queue)).JsonAsync();
        var id = await admin.SubmitAsync($$"""{"plugin":"{{plugin}}","args":{} }""");
        var leased = await (await workerA.PostJsonAsync($"/api/v1/workers/{workerId}/lease", """{"max":1}""")).JsonAsync();
        Assert.Equal(id, leased.GetProperty("tasks")[0].GetProperty("id").GetInt64());

        await (await workerB.DeleteAsync($"/api/v1/workers/{workerId}")).ProblemAsync(HttpStatusCode.NotFound, "worker-not-registered", "workerId");
        await (await RegisterAsync(workerB, workerId, $"t{b.Tag}.job", b.Queue)).ProblemAsync(HttpStatusCode.Conflict, "worker-id-taken", "workerId");
        var lease = await (await workerB.PostJsonAsync($"/api/v1/workers/{workerId}/lease", """{"max":1}""")).ProblemAsync(HttpStatusCode.NotFound, "worker-not-registered", "workerId");
        Assert.DoesNotContain(a.Queue, lease.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var task = await admin.GetTaskAsync(id);
        Assert.Equal("running", task.GetProperty("state").GetString());
        var nodes = (await (await admin.GetAsync("/api/v1/nodes")).JsonAsync()).GetProperty("nodes").EnumerateArray();
        var node = Assert.Single(nodes, n => n.GetProperty("id").GetString() == workerId);
        Assert.Equal([a.Queue], node.GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
        Assert.Equal(1, (await (await workerA.DeleteAsync($"/api/v1/workers/{workerId}")).JsonAsync()).GetProperty("released").GetInt32());
    }

    [Fact]
    public async Task AQueueLimitedAdmin_GrantsNoMoreThanItHolds_AndSeesOnlyKeysWithinItsQueues()
    {
        var (a, b) = (NewTenant("ta"), NewTenant("tb"));
        using var admin = Host.Admin();
        var (otherAdmin, otherAdminId) = await CreateKeyAsync(admin, "admin");
        var (_, otherTenantKeyId) = await CreateKeyAsync(admin, "operator", b.Queue);
        var (limitedKey, limitedId) = await CreateKeyAsync(admin, "admin", a.Queue);
        using var limited = Host.Client(limitedKey);

        await (await limited.PostJsonAsync("/api/v1/keys", """{"name":"escalate","role":"admin"}""")).ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden", "queues");
        await (await limited.PostJsonAsync("/api/v1/keys", $$"""{"name":"wider","role":"viewer","queues":["{{a.Queue}}","{{b.Queue}}"]}"""))
            .ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden", "queues[1]");
        var (_, madeId) = await CreateKeyAsync(limited, "operator", a.Queue);

        var listed = (await (await limited.GetAsync("/api/v1/keys")).JsonAsync()).EnumerateArray().Select(k => k.GetProperty("id").GetString()).ToList();
        Assert.Contains(madeId, listed);
        Assert.Contains(limitedId, listed);
        Assert.DoesNotContain(otherAdminId, listed);
        Assert.DoesNotContain(otherTenantKeyId, listed);

        await (await limited.DeleteAsync($"/api/v1/keys/{otherAdminId}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await limited.DeleteAsync($"/api/v1/keys/{otherTenantKeyId}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        using var stillThere = Host.Client(otherAdmin);
        Assert.Equal(HttpStatusCode.OK, (await stillThere.GetAsync("/api/v1/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await limited.DeleteAsync($"/api/v1/keys/{madeId}")).StatusCode);
    }

    [Fact]
    public async Task UniqueKeys_AreScopedToTheQueue_SoTenantsNeitherSeeNorBlockEachOther()
    {
        var (a, b) = (NewTenant("ta"), NewTenant("tb"));
        using var admin = Host.Admin();
        using var operatorA = Host.Client((await CreateKeyAsync(admin, "operator", a.Queue)).Key);
        using var operatorB = Host.Client((await CreateKeyAsync(admin, "operator", b.Queue)).Key);
        string Submit(string queue) => $$"""{"plugin":"text.generate","args":{"filename":"u.txt"},"queue":"{{queue}}","uniqueKey":"invoice-42","delay":"1h"}""";

        var first = await (await operatorA.PostJsonAsync("/api/v1/tasks", Submit(a.Queue))).JsonAsync(HttpStatusCode.Created);
        var other = await (await operatorB.PostJsonAsync("/api/v1/tasks", Submit(b.Queue))).JsonAsync(HttpStatusCode.Created);
        Assert.True(other.GetProperty("created").GetBoolean());
        Assert.NotEqual(first.GetProperty("id").GetInt64(), other.GetProperty("id").GetInt64());
        Assert.Equal(b.Queue, (await operatorB.GetTaskAsync(other.GetProperty("id").GetInt64())).GetProperty("queue").GetString());

        var again = await (await operatorA.PostJsonAsync("/api/v1/tasks", Submit(a.Queue))).JsonAsync();
        Assert.Equal((first.GetProperty("id").GetInt64(), false), (again.GetProperty("id").GetInt64(), again.GetProperty("created").GetBoolean()));
        var batch = await (await operatorB.PostJsonAsync("/api/v1/tasks/batch", $$"""{"tasks":[{{Submit(b.Queue)}}]}""")).JsonAsync();
        Assert.Equal(other.GetProperty("id").GetInt64(), batch.GetProperty("results")[0].GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task AQueueLimitedCaller_SeesOnlyItsQueuesInNodesAndPlugins_AndNoMetrics()
    {
        var (a, b) = (NewTenant("ta"), NewTenant("tb"));
        using var admin = Host.Admin();
        using var workerA = Host.Client((await CreateKeyAsync(admin, "worker", a.Queue)).Key);
        using var workerB = Host.Client((await CreateKeyAsync(admin, "worker", b.Queue)).Key);
        await (await RegisterAsync(workerA, "wa-" + a.Tag, $"t{a.Tag}.mine", a.Queue)).JsonAsync();
        await (await RegisterAsync(workerB, "wb-" + b.Tag, $"t{b.Tag}.theirs", b.Queue)).JsonAsync();
        using var viewerA = Host.Client((await CreateKeyAsync(admin, "viewer", a.Queue)).Key);

        var nodes = (await (await viewerA.GetAsync("/api/v1/nodes")).JsonAsync()).GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()).ToList();
        Assert.Contains("wa-" + a.Tag, nodes);
        Assert.DoesNotContain("wb-" + b.Tag, nodes);
        Assert.DoesNotContain("server-test", nodes); // the engine serves every queue: its counts are everyone's

        var plugins = await (await viewerA.GetAsync("/api/v1/plugins")).Content.ReadAsStringAsync();
        Assert.Contains($"t{a.Tag}.mine", plugins, StringComparison.Ordinal);
        Assert.DoesNotContain($"t{b.Tag}.theirs", plugins, StringComparison.Ordinal);
        Assert.DoesNotContain(b.Queue, plugins, StringComparison.Ordinal);
        var missing = await (await viewerA.GetAsync($"/api/v1/plugins/t{b.Tag}.theirs")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.DoesNotContain($"t{b.Tag}.theirs", missing.GetProperty("detail").GetString()!.Split("plugins:")[^1], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await viewerA.GetAsync($"/api/v1/plugins/t{a.Tag}.mine")).StatusCode);

        await (await viewerA.GetAsync("/metrics")).ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/metrics")).StatusCode);
    }
}

public sealed class SqliteTenancyTests(SqliteServer server) : TenancyTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresTenancyTests(PostgresServer server) : TenancyTests(server), IClassFixture<PostgresServer>;
