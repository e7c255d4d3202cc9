using System.Net;
using System.Text;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.GraphQl;

/// <summary>Queries and mutations at /graphql answer what the REST routes answer, through the same Core services.</summary>
public abstract class GraphQlQueryTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private static string Tag() => "g" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Tasks_SubmittedByMutation_AreReadByTaskAndTasks()
    {
        using var admin = Host.Admin();
        var tag = Tag();
        var submitted = await admin.DataAsync(
            "mutation($tag: String!) { submitTask(plugin: \"text.generate\", args: {filename: \"g.txt\"}, delay: \"1h\", tags: [$tag]) { id created } }", new { tag });
        var id = submitted.GetProperty("submitTask").GetProperty("id").GetInt64();
        Assert.True(submitted.GetProperty("submitTask").GetProperty("created").GetBoolean());

        var rest = await admin.GetTaskAsync(id);
        var one = await admin.DataAsync("query($id: Long!) { task(id: $id) { id plugin queue state args tags } }", new { id });
        var task = one.GetProperty("task");
        Assert.Equal(rest.GetProperty("state").GetString(), task.GetProperty("state").GetString());
        Assert.Equal("scheduled", task.GetProperty("state").GetString());
        Assert.Equal("g.txt", task.GetProperty("args").GetProperty("filename").GetString());

        var list = await admin.DataAsync("query($tag: String) { tasks(tag: $tag, limit: 10) { items { id } next } }", new { tag });
        Assert.Equal(id, list.GetProperty("tasks").GetProperty("items")[0].GetProperty("id").GetInt64());

        var cancelled = await admin.DataAsync("mutation($id: Long!) { cancelTask(id: $id) { id outcome } }", new { id });
        Assert.Equal("cancelled", cancelled.GetProperty("cancelTask").GetProperty("outcome").GetString());
        Assert.Equal("cancelled", (await admin.GetTaskAsync(id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Tasks_KeysetPaging_WalksEveryTaskOnce()
    {
        using var admin = Host.Admin();
        var tag = Tag();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++) ids.Add(await admin.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"p.txt"},"delay":"1h","tags":["{{tag}}"]}"""));
        var seen = new List<long>();
        string? before = null;
        do
        {
            var page = (await admin.DataAsync("query($tag: String, $before: String) { tasks(tag: $tag, limit: 2, before: $before) { items { id } next } }", new { tag, before })).GetProperty("tasks");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()));
            before = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        while (before is not null && seen.Count < 10);
        Assert.Equal(ids.OrderDescending(), seen);
    }

    [Fact]
    public async Task State_SetGetListHistory_AndAStaleVersionConflictsWithTheCurrentOne()
    {
        using var admin = Host.Admin();
        var ns = Tag();
        const string set = "mutation($ns: String!, $key: String!, $value: JSON, $v: Long) { setState(namespace: $ns, key: $key, value: $value, expectedVersion: $v) { key value version } }";
        var first = (await admin.DataAsync(set, new { ns, key = "cfg/a", value = new { n = 1 } })).GetProperty("setState");
        Assert.Equal(1, first.GetProperty("version").GetInt64());
        var second = (await admin.DataAsync(set, new { ns, key = "cfg/a", value = new { n = 2 }, v = 1 })).GetProperty("setState");
        Assert.Equal(2, second.GetProperty("version").GetInt64());

        var conflict = await admin.ErrorAsync(set, "state-conflict", new { ns, key = "cfg/a", value = new { n = 3 }, v = 1 });
        Assert.Equal(2, conflict.GetProperty("extensions").GetProperty("currentVersion").GetInt64());
        Assert.Equal(409, conflict.GetProperty("extensions").GetProperty("status").GetInt32());

        await admin.DataAsync(set, new { ns, key = "cfg/b", value = "text" });
        await admin.DataAsync(set, new { ns, key = "other", value = (object?)null });
        var read = await admin.DataAsync("""
            query($ns: String!) {
              state(namespace: $ns, key: "cfg/a") { value version }
              missing: state(namespace: $ns, key: "nope") { version }
              stateKeys(namespace: $ns, prefix: "cfg/", limit: 1) { items { key } next }
              stateHistory(namespace: $ns, key: "cfg/a") { version operation value }
            }
            """, new { ns });
        Assert.Equal(2, read.GetProperty("state").GetProperty("value").GetProperty("n").GetInt32());
        Assert.Equal(JsonValueKind.Null, read.GetProperty("missing").ValueKind);
        Assert.Equal("cfg/a", read.GetProperty("stateKeys").GetProperty("items")[0].GetProperty("key").GetString());
        var next = read.GetProperty("stateKeys").GetProperty("next").GetString();
        var rest = (await admin.DataAsync("query($ns: String!, $after: String) { stateKeys(namespace: $ns, prefix: \"cfg/\", after: $after) { items { key } } }", new { ns, after = next }))
            .GetProperty("stateKeys").GetProperty("items");
        Assert.Equal(["cfg/b"], rest.EnumerateArray().Select(i => i.GetProperty("key").GetString()));
        Assert.Equal([2L, 1L], read.GetProperty("stateHistory").EnumerateArray().Select(v => v.GetProperty("version").GetInt64()));

        var deleted = await admin.DataAsync("mutation($ns: String!) { deleteState(namespace: $ns, key: \"cfg/b\") { key version } }", new { ns });
        Assert.Equal("cfg/b", deleted.GetProperty("deleteState").GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/namespaces/{ns}/state/cfg%2Fb")).StatusCode);
    }

    [Fact]
    public async Task Documents_PatchWithVersion_QueryByFilterWithKeysetPaging()
    {
        using var admin = Host.Admin();
        var app = Tag();
        for (var i = 1; i <= 3; i++)
        {
            await (await admin.PostJsonAsync($"/api/v1/apps/{app}/models/orders/documents", $$$"""{"id":"o{{{i}}}","document":{"priority":"{{{(i == 2 ? "low" : "high")}}}","n":{{{i}}}}}""")).JsonAsync(HttpStatusCode.Created);
        }
        const string patch = "mutation($app: String!, $ops: JSON!, $v: Long) { patchDocument(app: $app, model: \"orders\", id: \"o1\", patch: $ops, expectedVersion: $v) { document version } }";
        var patched = (await admin.DataAsync(patch, new { app, ops = new object[] { new { op = "replace", path = "/n", value = 10 }, new { op = "add", path = "/seen", value = true } }, v = 1 }))
            .GetProperty("patchDocument");
        Assert.Equal(2, patched.GetProperty("version").GetInt64());
        Assert.Equal(10, patched.GetProperty("document").GetProperty("n").GetInt32());
        await admin.ErrorAsync(patch, "state-conflict", new { app, ops = new object[] { new { op = "remove", path = "/seen" } }, v = 1 });
        var failed = await admin.ErrorAsync(patch, "patch-failed", new { app, ops = new object[] { new { op = "test", path = "/n", value = 99 } }, v = (long?)null });
        Assert.Equal(409, failed.GetProperty("extensions").GetProperty("status").GetInt32());

        // A filter's operators start with $, which a GraphQL literal cannot spell: it comes as a JSON variable.
        const string query = "query($app: String!, $after: String, $f: JSON) { documents(app: $app, model: \"orders\", filter: $f, limit: 1, after: $after) { items { id } next } }";
        var f = new Dictionary<string, object> { ["priority"] = new Dictionary<string, string> { ["$eq"] = "high" } };
        var first = (await admin.DataAsync(query, new { app, after = (string?)null, f })).GetProperty("documents");
        Assert.Equal("o1", first.GetProperty("items")[0].GetProperty("id").GetString());
        var second = (await admin.DataAsync(query, new { app, after = first.GetProperty("next").GetString(), f })).GetProperty("documents");
        Assert.Equal("o3", second.GetProperty("items")[0].GetProperty("id").GetString());
        var one = await admin.DataAsync("query($app: String!) { document(app: $app, model: \"orders\", id: \"o2\") { document } }", new { app });
        Assert.Equal("low", one.GetProperty("document").GetProperty("document").GetProperty("priority").GetString());
    }

    [Fact]
    public async Task Events_PublishedByMutation_AreReadFromAPositionWithAPattern_AndNamespacesList()
    {
        using var admin = Host.Admin();
        var ns = Tag();
        await (await admin.PostJsonAsync("/api/v1/namespaces", $$"""{"name":"{{ns}}"}""")).JsonAsync(HttpStatusCode.Created);
        const string publish = "mutation($ns: String!, $topic: String!, $p: JSON) { publishEvent(namespace: $ns, topic: $topic, payload: $p) { position created } }";
        var a = (await admin.DataAsync(publish, new { ns, topic = "orders.created", p = new { id = 1 } })).GetProperty("publishEvent").GetProperty("position").GetInt64();
        await admin.DataAsync(publish, new { ns, topic = "users.created", p = new { id = 2 } });
        await admin.DataAsync(publish, new { ns, topic = "orders.paid", p = new { id = 3 } });

        // On PostgreSQL the log shows an event once no older transaction is still running (docs/events.md): read until both show.
        var read = await Nexus.Testing.Eventually.UntilAsync(
            () => admin.DataAsync("query($ns: String!) { events(namespace: $ns, pattern: \"orders.>\") { events { position cursor topic payload } next } namespaces { name } }", new { ns }),
            d => d.GetProperty("events").GetProperty("events").GetArrayLength() == 2, because: "both orders events to be readable");
        var topics = read.GetProperty("events").GetProperty("events").EnumerateArray().Select(e => e.GetProperty("topic").GetString()).ToList();
        Assert.Equal(["orders.created", "orders.paid"], topics);
        Assert.Contains(read.GetProperty("namespaces").EnumerateArray(), n => n.GetProperty("name").GetString() == ns);
        // Resume after the first event, by its cursor (on PostgreSQL a cursor carries the transaction order too).
        var firstCursor = read.GetProperty("events").GetProperty("events")[0].GetProperty("cursor").GetString();
        Assert.Equal(a, read.GetProperty("events").GetProperty("events")[0].GetProperty("position").GetInt64());
        var after = await Nexus.Testing.Eventually.UntilAsync(
            () => admin.DataAsync("query($ns: String!, $after: String) { events(namespace: $ns, after: $after) { events { position } } }", new { ns, after = firstCursor }),
            d => d.GetProperty("events").GetProperty("events").GetArrayLength() == 2, because: "the two later events to be readable");
        Assert.Equal(2, after.GetProperty("events").GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task Workflows_StartedByMutation_ShowRunsWithSteps()
    {
        using var admin = Host.Admin();
        var name = "wf-" + Tag();
        await (await admin.PostJsonAsync("/api/v1/workflows", $$"""{"name":"{{name}}","steps":[{"id":"wait","kind":"waitForEvent","signal":"go"}]}""")).JsonAsync(HttpStatusCode.Created);
        var started = (await admin.DataAsync("mutation($name: String!) { startWorkflow(name: $name, input: {x: 1}) { runId version created } }", new { name })).GetProperty("startWorkflow");
        var runId = started.GetProperty("runId").GetInt64();
        Assert.True(started.GetProperty("created").GetBoolean());
        var read = await admin.DataAsync("""
            query($name: String!, $id: Long!) {
              workflows { name }
              workflow(name: $name) { name version definition }
              runs(workflow: $name) { items { id workflow } }
              run(id: $id) { id state steps { id state } }
            }
            """, new { name, id = runId });
        Assert.Contains(read.GetProperty("workflows").EnumerateArray(), w => w.GetProperty("name").GetString() == name);
        Assert.Equal(1, read.GetProperty("workflow").GetProperty("version").GetInt32());
        Assert.Equal(runId, read.GetProperty("runs").GetProperty("items")[0].GetProperty("id").GetInt64());
        Assert.Equal("wait", read.GetProperty("run").GetProperty("steps")[0].GetProperty("id").GetString());
        await admin.ErrorAsync("mutation { startWorkflow(name: \"no-such-workflow\") { runId } }", "not-found");
    }

    [Fact]
    public async Task SchedulesAndServices_AreListed()
    {
        using var admin = Host.Admin();
        var name = "gs-" + Tag();
        using (var put = new StringContent("""{"cron":"0 0 1 1 *","target":{"task":{"plugin":"text.generate","args":{"filename":"s.txt"}}}}""", Encoding.UTF8, "application/json"))
        {
            await (await admin.PutAsync($"/api/v1/schedules/{name}", put)).JsonAsync();
        }
        using (var svc = new StringContent("""{"baseUrl":"http://127.0.0.1:9/","capabilities":["gq"]}""", Encoding.UTF8, "application/json"))
        {
            await (await admin.PutAsync($"/api/v1/services/{name}/instances/i1", svc)).JsonAsync();
        }
        var read = await admin.DataAsync("query($name: String!) { schedule(name: $name) { name cron target } schedules(limit: 1000) { items { name } } services(service: $name) { service id baseUrl capabilities metadata } }", new { name });
        Assert.Equal("0 0 1 1 *", read.GetProperty("schedule").GetProperty("cron").GetString());
        Assert.Contains(read.GetProperty("schedules").GetProperty("items").EnumerateArray(), s => s.GetProperty("name").GetString() == name);
        Assert.Equal("i1", read.GetProperty("services")[0].GetProperty("id").GetString());
    }
}

public sealed class SqliteGraphQlQueryTests(SqliteServer server) : GraphQlQueryTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresGraphQlQueryTests(PostgresServer server) : GraphQlQueryTests(server), IClassFixture<PostgresServer>;
