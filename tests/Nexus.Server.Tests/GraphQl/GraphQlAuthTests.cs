using System.Net;
using System.Text;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.GraphQl;

/// <summary>/graphql has REST's authentication and rights: no key, no answer; a viewer may read but not mutate; a key
/// limited to queues or namespaces sees only those; limits on depth and size; bad input is a GraphQL error, never a 500.</summary>
public abstract class GraphQlAuthTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private async Task<HttpClient> KeyAsync(string role, string? queues = null, string? namespaces = null)
    {
        using var admin = Host.Admin();
        var extra = (queues is null ? "" : $",\"queues\":[\"{queues}\"]") + (namespaces is null ? "" : $",\"namespaces\":[\"{namespaces}\"]");
        var made = await (await admin.PostJsonAsync("/api/v1/keys", $$"""{"name":"gq-{{Guid.NewGuid():N}}","role":"{{role}}"{{extra}}}""")).JsonAsync(HttpStatusCode.Created);
        return Host.Client(made.GetProperty("key").GetString()!);
    }

    [Fact]
    public async Task NoKey_Is401_LikeRest()
    {
        using var anonymous = Host.Client();
        using var response = await anonymous.PostAsync("/graphql", new StringContent("""{"query":"{ namespaces { name } }"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("\"data\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_Reads_ButEveryMutationIsForbidden()
    {
        using var viewer = await KeyAsync("viewer");
        await viewer.DataAsync("{ namespaces { name } tasks(limit: 1) { items { id } } }");
        foreach (var mutation in new[]
        {
            "mutation { submitTask(plugin: \"text.generate\", args: {filename: \"v.txt\"}) { id } }",
            "mutation { setState(namespace: \"gq-viewer\", key: \"k\", value: 1) { version } }",
            "mutation { deleteState(namespace: \"gq-viewer\", key: \"k\") { version } }",
            "mutation { publishEvent(namespace: \"gq-viewer\", topic: \"t\", payload: 1) { position } }",
            "mutation { patchDocument(app: \"gq-viewer\", model: \"m\", id: \"d\", patch: []) { version } }",
            "mutation { startWorkflow(name: \"w\") { runId } }",
            "mutation { cancelTask(id: 1) { outcome } }",
        })
        {
            var error = await viewer.ErrorAsync(mutation, "forbidden");
            Assert.Equal(403, error.GetProperty("extensions").GetProperty("status").GetInt32());
            Assert.Contains("viewer", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        using var admin = Host.Admin();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/namespaces/gq-viewer/state/k")).StatusCode);
        // A worker key reads nothing either: deny by default.
        using var worker = await KeyAsync("worker");
        await worker.ErrorAsync("{ namespaces { name } }", "forbidden");
    }

    [Fact]
    public async Task LimitedKeys_SeeOnlyTheirQueuesAndNamespaces()
    {
        using var admin = Host.Admin();
        var tag = "gq" + Guid.NewGuid().ToString("N")[..10];
        var mine = "q-" + tag;
        var theirs = "t-" + tag;
        var own = await admin.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"a.txt"},"queue":"{{mine}}","delay":"1h"}""");
        var other = await admin.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"b.txt"},"queue":"{{theirs}}","delay":"1h"}""");
        using var queued = await KeyAsync("operator", queues: mine);
        var list = await queued.DataAsync("{ tasks(limit: 100) { items { id queue } } }");
        Assert.Equal([own], list.GetProperty("tasks").GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()));
        await queued.ErrorAsync("query($id: Long!) { task(id: $id) { id } }", "not-found", new { id = other });
        await queued.ErrorAsync("query($q: String) { tasks(queue: $q) { items { id } } }", "queue-forbidden", new { q = theirs });
        await queued.ErrorAsync("query($id: Long!) { cancelTask: task(id: $id) { id } }", "not-found", new { id = other });
        await queued.ErrorAsync("mutation($id: Long!) { cancelTask(id: $id) { id } }", "not-found", new { id = other });
        await queued.ErrorAsync("mutation($q: String) { submitTask(plugin: \"text.generate\", args: {filename: \"c.txt\"}, queue: $q) { id } }", "queue-forbidden", new { q = theirs });
        await queued.ErrorAsync("{ workflows { name } }", "workflows-forbidden");
        await queued.ErrorAsync("{ services { id } }", "queue-forbidden");
        await queued.ErrorAsync("{ state(namespace: \"anything\", key: \"k\") { version } }", "namespace-not-found");
        Assert.Equal("scheduled", (await admin.GetTaskAsync(other)).GetProperty("state").GetString());

        var nsMine = "n-" + tag;
        var nsTheirs = "m-" + tag;
        foreach (var ns in new[] { nsMine, nsTheirs }) await (await admin.PostJsonAsync("/api/v1/namespaces", $$"""{"name":"{{ns}}"}""")).JsonAsync(HttpStatusCode.Created);
        using var spaced = await KeyAsync("operator", namespaces: nsMine);
        var names = (await spaced.DataAsync("{ namespaces { name } }")).GetProperty("namespaces").EnumerateArray().Select(n => n.GetProperty("name").GetString()).ToList();
        Assert.Equal([nsMine], names);
        await spaced.DataAsync("mutation($ns: String!) { setState(namespace: $ns, key: \"k\", value: 1) { version } }", new { ns = nsMine });
        var hidden = await spaced.ErrorAsync("mutation($ns: String!) { setState(namespace: $ns, key: \"k\", value: 1) { version } }", "namespace-not-found", new { ns = nsTheirs });
        Assert.Equal(404, hidden.GetProperty("extensions").GetProperty("status").GetInt32());
        await spaced.ErrorAsync("query($ns: String!) { events(namespace: $ns) { next } }", "namespace-not-found", new { ns = nsTheirs });
        await spaced.ErrorAsync("query($ns: String!) { documents(app: $ns, model: \"m\") { next } }", "namespace-not-found", new { ns = nsTheirs });
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/namespaces/{nsTheirs}/state/k")).StatusCode);
    }

    [Fact]
    public async Task TooDeepOrMalformed_IsAGraphQlErrorNamingTheProblem_NeverA500()
    {
        using var admin = Host.Admin();
        var deep = "{ __schema { types { fields { type " + string.Concat(Enumerable.Repeat("{ ofType ", 14)) + "{ name }" + new string('}', 14) + " } } } }";
        var (status, body) = await admin.GraphQlAsync(deep);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body.GetProperty("errors")[0].GetProperty("message").GetString()!;
        Assert.Contains("depth", error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("15", error, StringComparison.Ordinal);
        // The standard introspection depth (GraphiQL, code generators: 13) is allowed.
        var introspection = "{ __schema { types { fields { type " + string.Concat(Enumerable.Repeat("{ ofType ", 7)) + "{ name }" + new string('}', 7) + " } } } }";
        Assert.True((await admin.DataAsync(introspection)).GetProperty("__schema").GetProperty("types").GetArrayLength() > 10);

        var wide = "{ " + string.Concat(Enumerable.Range(0, 400).Select(i => $"t{i}: tasks {{ items {{ id plugin queue state }} }} ")) + "}";
        (status, body) = await admin.GraphQlAsync(wide);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("too complex", body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        var tooLong = "{ " + new string(' ', 40_000) + "namespaces { name } }";
        (status, body) = await admin.GraphQlAsync(tooLong);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("query-too-long", body.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());

        (status, body) = await admin.GraphQlAsync("{ tasks(limit: 5000) { next } }");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("limit:", GraphQlHttp.FirstError(body, "validation").GetProperty("message").GetString(), StringComparison.Ordinal);
        await admin.ErrorAsync("{ tasks(state: \"sleeping\") { next } }", "validation");
        await admin.ErrorAsync("{ events(namespace: \"Not A Name\") { next } }", "validation");
        await admin.ErrorAsync("{ events(namespace: \"x\", after: \"nope\") { next } }", "validation");

        (status, body) = await admin.GraphQlAsync("{ nothingHere }");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("nothingHere", body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        (status, body) = await admin.GraphQlAsync("{ tasks(");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("parsing", body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);

        using var junk = await admin.PostAsync("/graphql", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, junk.StatusCode);
        Assert.Contains("body", await junk.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var empty = await admin.PostAsync("/graphql", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("query: is required", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var text = await admin.PostAsync("/graphql", new StringContent("{ namespaces { name } }", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        // GET runs queries, never mutations.
        using var get = await admin.GetAsync("/graphql?query=" + Uri.EscapeDataString("mutation { cancelTask(id: 1) { id } }"));
        Assert.Equal(HttpStatusCode.BadRequest, get.StatusCode);
        Assert.Contains("mutation-needs-post", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Playground_IsServedLocally_UnderAStrictPolicy()
    {
        using var anonymous = Host.Client();
        using var page = await anonymous.GetAsync("/graphql/playground");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("/graphql/playground/playground.js", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
        using var script = await anonymous.GetAsync("/graphql/playground/playground.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("fetch(\"/graphql\"", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/graphql/playground/secrets.txt")).StatusCode);
    }
}

public sealed class SqliteGraphQlAuthTests(SqliteServer server) : GraphQlAuthTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresGraphQlAuthTests(PostgresServer server) : GraphQlAuthTests(server), IClassFixture<PostgresServer>;
