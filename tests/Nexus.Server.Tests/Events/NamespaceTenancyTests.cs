using System.Net;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Events;

/// <summary>Keys limited to namespaces: a key reaches only the namespaces it names; a key limited only to queues reaches
/// no namespace (deny by default); a key never grants a namespace its maker does not hold.</summary>
public abstract class NamespaceTenancyTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private async Task<HttpClient> KeyAsync(HttpClient admin, string role, string? queues, string? namespaces)
    {
        var body = $$"""{"name":"k-{{Guid.NewGuid():N}}","role":"{{role}}"{{(queues is null ? "" : $",\"queues\":[{queues}]")}}{{(namespaces is null ? "" : $",\"namespaces\":[{namespaces}]")}}}""";
        var created = await (await admin.PostJsonAsync("/api/v1/keys", body)).JsonAsync(HttpStatusCode.Created);
        return Host.Client(created.GetProperty("key").GetString()!);
    }

    [Fact]
    public async Task ANamespaceLimitedKey_UsesItsNamespace_AndFindsNoOther()
    {
        using var admin = Host.Admin();
        var mine = "mine-" + Guid.NewGuid().ToString("N")[..8];
        var theirs = "theirs-" + Guid.NewGuid().ToString("N")[..8];
        var queue = "q-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var ns in new[] { mine, theirs }) await (await admin.PostJsonAsync("/api/v1/namespaces", $$"""{"name":"{{ns}}"}""")).JsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync($"/api/v1/namespaces/{theirs}/subscriptions", """{"name":"c","pattern":">","action":"consumer"}""")).JsonAsync(HttpStatusCode.Created);
        using var key = await KeyAsync(admin, "operator", $"\"{queue}\"", $"\"{mine}\"");

        await (await key.PostJsonAsync($"/api/v1/namespaces/{mine}/events", """{"topic":"a.b","payload":1}""")).JsonAsync();
        var visible = (await (await key.GetAsync("/api/v1/namespaces")).JsonAsync()).EnumerateArray().Select(n => n.GetProperty("name").GetString()).ToList();
        Assert.Equal([mine], visible);
        foreach (var url in new[] { $"/api/v1/namespaces/{theirs}", $"/api/v1/namespaces/{theirs}/events", $"/api/v1/namespaces/{theirs}/subscriptions",
                     $"/api/v1/namespaces/{theirs}/subscriptions/c", $"/api/v1/namespaces/{theirs}/dead-letters" })
        {
            await (await key.GetAsync(url)).ProblemAsync(HttpStatusCode.NotFound, "namespace-not-found", "namespace");
        }
        await (await key.PostJsonAsync($"/api/v1/namespaces/{theirs}/events", """{"topic":"a.b","payload":1}""")).ProblemAsync(HttpStatusCode.NotFound, "namespace-not-found", "namespace");
        await (await key.PostJsonAsync("/api/v1/namespaces", $$"""{"name":"new{{Guid.NewGuid().ToString("N")[..8]}}"}"""))
            .ProblemAsync(HttpStatusCode.Forbidden, "namespace-forbidden", "name");
        // Plugin deliveries are tasks: the key's queue limit applies to the subscription's queue.
        await (await key.PostJsonAsync($"/api/v1/namespaces/{mine}/subscriptions", """{"name":"p","pattern":">","target":"text.generate","queue":"elsewhere"}"""))
            .ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden", "queue");
        await (await key.PostJsonAsync($"/api/v1/namespaces/{mine}/subscriptions", $$"""{"name":"p","pattern":">","target":"text.generate","queue":"{{queue}}"}"""))
            .JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AQueueLimitedKey_ReachesNoNamespace_AndAnUnlimitedKeyReachesAll()
    {
        using var admin = Host.Admin();
        var ns = "open-" + Guid.NewGuid().ToString("N")[..8];
        await (await admin.PostJsonAsync("/api/v1/namespaces", $$"""{"name":"{{ns}}"}""")).JsonAsync(HttpStatusCode.Created);
        using var queueOnly = await KeyAsync(admin, "viewer", "\"some-queue\"", null);
        using var unlimited = await KeyAsync(admin, "viewer", null, null);

        Assert.Empty((await (await queueOnly.GetAsync("/api/v1/namespaces")).JsonAsync()).EnumerateArray());
        await (await queueOnly.GetAsync($"/api/v1/namespaces/{ns}/events")).ProblemAsync(HttpStatusCode.NotFound, "namespace-not-found", "namespace");
        await (await unlimited.GetAsync($"/api/v1/namespaces/{ns}/events")).JsonAsync();
        var whoami = await (await queueOnly.GetAsync("/api/v1/whoami")).JsonAsync();
        Assert.Equal(0, whoami.GetProperty("namespaces").GetArrayLength());
    }

    [Fact]
    public async Task ALimitedAdmin_CannotGrantANamespaceItDoesNotHold()
    {
        using var admin = Host.Admin();
        var mine = "own-" + Guid.NewGuid().ToString("N")[..8];
        using var limitedAdmin = await KeyAsync(admin, "admin", "\"qa\"", $"\"{mine}\"");

        await (await limitedAdmin.PostJsonAsync("/api/v1/keys", """{"name":"x","role":"viewer","queues":["qa"],"namespaces":["other-ns"]}"""))
            .ProblemAsync(HttpStatusCode.Forbidden, "namespace-forbidden", "namespaces[0]");
        var made = await (await limitedAdmin.PostJsonAsync("/api/v1/keys", $$"""{"name":"y","role":"viewer","namespaces":["{{mine}}"]}""")).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(mine, made.GetProperty("info").GetProperty("namespaces")[0].GetString());
        await (await admin.PostJsonAsync("/api/v1/keys", """{"name":"z","role":"viewer","namespaces":["Bad Name"]}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "namespaces[0]");
    }
}

public sealed class SqliteNamespaceTenancyTests(SqliteServer server) : NamespaceTenancyTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresNamespaceTenancyTests(PostgresServer server) : NamespaceTenancyTests(server), IClassFixture<PostgresServer>;
