using System.Net;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Hosting;

/// <summary>/readyz tells a store that is not migrated from one that is; only callers with credentials see why.</summary>
public abstract class ReadinessTests(StoreKind store)
{
    [Fact]
    public async Task Readyz_IsNotReady_UntilTheStoreIsMigrated()
    {
        await using var host = await ServerHost.StartAsync(store, new Dictionary<string, string?>
        {
            ["Nexus:MigrateOnStart"] = "false",
            ["Nexus:RunWorkers"] = "false",
        });
        using var anonymous = host.Client();
        using var admin = host.Admin();

        var hidden = await (await anonymous.GetAsync("/readyz")).JsonAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("not-ready", hidden.GetProperty("status").GetString());
        Assert.Equal(0, hidden.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, hidden.GetProperty("error").ValueKind);
        var told = await (await admin.GetAsync("/readyz")).JsonAsync(HttpStatusCode.ServiceUnavailable);
        Assert.False(string.IsNullOrEmpty(told.GetProperty("error").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);

        await host.NexusStore.MigrateAsync();

        var ready = await (await anonymous.GetAsync("/readyz")).JsonAsync();
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(ready.GetProperty("expectedVersion").GetInt32(), ready.GetProperty("schemaVersion").GetInt32());
    }
}

public sealed class SqliteReadinessTests() : ReadinessTests(StoreKind.Sqlite);

public sealed class PostgresReadinessTests() : ReadinessTests(StoreKind.Postgres);
